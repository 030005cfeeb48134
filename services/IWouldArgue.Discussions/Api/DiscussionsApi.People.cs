using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Discussions.Api;

internal sealed partial class DiscussionsApi
{
    public override async Task<ListAttendeesResponse> ListAttendees(ListAttendeesRequest request, ServerCallContext context)
    {
        var (discussion, _) = await RequireMemberAsync(request.DiscussionId, context);
        var (offset, limit) = Paging.Page(request.Page);
        var found = await store.ListAttendeesAsync(discussion.DiscussionId, offset, limit + 1, context.CancellationToken);
        var response = new ListAttendeesResponse { Page = Paging.Next(offset, limit, found.Count) };
        response.Attendees.Add(found.Take(limit));
        return response;
    }

    public override async Task<ChangeRoleResponse> ChangeRole(ChangeRoleRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        RequireRole(me, Role.CoHost, "change roles");
        if (request.Role is not (Role.Attendee or Role.Participant or Role.CoHost))
        {
            throw RpcErrors.InvalidArgument("role", "must be attendee, participant or co-host.");
        }
        var target = await RequireMemberTargetAsync(discussion.DiscussionId, request.UserId, context);
        if (target.Role == Role.Host)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "The host's role cannot be changed.");
        }
        if ((target.Role == Role.CoHost || request.Role == Role.CoHost) && me.Role != Role.Host)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, "Only the host may make or unmake co-hosts.");
        }
        if (target.Role == request.Role)
        {
            return new ChangeRoleResponse { Attendee = target };
        }
        if (target.Role == Role.Attendee)
        {
            AppendRules.RequireFreeSeat(await store.CountSpeakersAsync(discussion.DiscussionId, context.CancellationToken), options.Value.MaxSpeakers);
        }
        var events = new List<DiscussionEvent>();
        var lowered = request.Role > Role.Attendee ? await hands.LowerAsync(discussion.DiscussionId, target.User.UserId, context.CancellationToken) : null;
        if (lowered is not null)
        {
            events.Add(Event(discussion.DiscussionId, e => e.HandLowered = new HandLowered { User = target.User, Reason = HandLoweredReason.Promoted }));
        }
        events.Add(Event(discussion.DiscussionId, e => e.RoleChanged = new RoleChanged
        {
            User = target.User,
            PreviousRole = target.Role,
            Role = request.Role,
            ChangedBy = me.User,
        }));
        try
        {
            await log.AppendAsync(events, context.CancellationToken);
        }
        catch (RuleBrokenException) when (lowered is not null)
        {
            // The seats filled (or the person left) since the check above: the promotion did not happen, so neither
            // did the lowering of their hand.
            await hands.RestoreAsync(discussion.DiscussionId, lowered, CancellationToken.None);
            throw;
        }
        return new ChangeRoleResponse { Attendee = new Attendee(target) { Role = request.Role } };
    }

    public override async Task<RemoveAttendeeResponse> RemoveAttendee(RemoveAttendeeRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        var target = await RequireModeratableAsync(discussion.DiscussionId, me, request.UserId, "remove people", context);
        await RemoveFromRoomAsync(discussion.DiscussionId, target.User, LeaveReason.Removed, context);
        return new RemoveAttendeeResponse();
    }

    public override async Task<BanUserResponse> BanUser(BanUserRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        var target = await RequireModeratableAsync(discussion.DiscussionId, me, request.UserId, "ban people", context);
        await RemoveFromRoomAsync(discussion.DiscussionId, target.User, LeaveReason.Banned, context);
        return new BanUserResponse();
    }

    public override async Task<UnbanUserResponse> UnbanUser(UnbanUserRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        RequireRole(me, Role.CoHost, "lift bans");
        await store.UnbanAsync(discussion.DiscussionId, Validate.Text(request.UserId, "user_id", 1, 128), context.CancellationToken);
        return new UnbanUserResponse();
    }

    public override async Task<RaiseHandResponse> RaiseHand(RaiseHandRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        AppendRules.RequireLive(discussion.State);
        if (me.Role != Role.Attendee)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition, "You can already speak; hands are for attendees.", "ALREADY_SPEAKER");
        }
        var (hand, raised) = await hands.RaiseAsync(discussion.DiscussionId, me.User, context.CancellationToken);
        if (raised)
        {
            await log.AppendAsync(Event(discussion.DiscussionId, e => e.HandRaised = new HandRaised { User = me.User, RaisedAt = hand.RaisedAt }), context.CancellationToken);
        }
        return new RaiseHandResponse { Hand = hand };
    }

    public override async Task<LowerHandResponse> LowerHand(LowerHandRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        var userId = string.IsNullOrEmpty(request.UserId) ? me.User.UserId : request.UserId;
        var byModerator = userId != me.User.UserId;
        if (byModerator)
        {
            RequireRole(me, Role.CoHost, "lower other people's hands");
        }
        var lowered = await hands.LowerAsync(discussion.DiscussionId, userId, context.CancellationToken);
        if (lowered is not null)
        {
            var reason = byModerator ? HandLoweredReason.ByModerator : HandLoweredReason.BySelf;
            await log.AppendAsync(Event(discussion.DiscussionId, e => e.HandLowered = new HandLowered { User = lowered.User, Reason = reason }), context.CancellationToken);
        }
        return new LowerHandResponse();
    }

    public override async Task<ListRaisedHandsResponse> ListRaisedHands(ListRaisedHandsRequest request, ServerCallContext context)
    {
        var (discussion, _) = await RequireMemberAsync(request.DiscussionId, context);
        var response = new ListRaisedHandsResponse();
        response.Hands.Add(await hands.ListAsync(discussion.DiscussionId, context.CancellationToken));
        return response;
    }

    private async Task<Attendee> RequireMemberTargetAsync(string discussionId, string userId, ServerCallContext context)
    {
        var id = Validate.Text(userId, "user_id", 1, 128);
        var membership = await store.GetAttendeeAsync(discussionId, id, context.CancellationToken);
        return membership is { IsMember: true }
            ? membership.Attendee
            : throw RpcErrors.Of(StatusCode.NotFound, "That person is not in this discussion.");
    }

    // Co-hosts moderate attendees and participants; only the host moderates co-hosts; nobody moderates the host.
    private async Task<Attendee> RequireModeratableAsync(string discussionId, Attendee me, string userId, string action, ServerCallContext context)
    {
        RequireRole(me, Role.CoHost, action);
        var id = Validate.Text(userId, "user_id", 1, 128);
        var membership = await store.GetAttendeeAsync(discussionId, id, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "That person never joined this discussion.");
        var target = membership.Attendee;
        if (target.Role == Role.Host || (target.Role == Role.CoHost && me.Role != Role.Host))
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, $"You may not {action.Replace("people", "a " + Describe(target.Role), StringComparison.Ordinal)}.");
        }
        return target;
    }

    private async Task RemoveFromRoomAsync(string discussionId, UserRef user, LeaveReason reason, ServerCallContext context)
    {
        var events = new List<DiscussionEvent>();
        if (await hands.LowerAsync(discussionId, user.UserId, context.CancellationToken) is not null)
        {
            events.Add(Event(discussionId, e => e.HandLowered = new HandLowered { User = user, Reason = HandLoweredReason.Left }));
        }
        events.Add(Event(discussionId, e => e.AttendeeLeft = new AttendeeLeft { User = user, Reason = reason }));
        await log.AppendAsync(events, context.CancellationToken);
    }
}
