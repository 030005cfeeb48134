using Microsoft.AspNetCore.Authorization;
using IWouldArgue.Auth;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions.Api;

/// <summary>
/// iwouldargue.v1.DiscussionsService: lifecycle and listing here; people, hands and comments in the
/// other parts. Every change goes through the event log (<see cref="EventAppender"/>), which numbers it,
/// stores its effect and publishes it.
/// </summary>
internal sealed partial class DiscussionsApi(
    IDiscussionStore store,
    EventAppender log,
    RaisedHands hands,
    PinnedComments pins,
    JoinByLink joins,
    CommentRateLimiter commentLimiter,
    CallerResolver callers,
    IOptions<DiscussionOptions> options,
    TimeProvider clock) : DiscussionsService.DiscussionsServiceBase
{
    public override async Task<CreateDiscussionResponse> CreateDiscussion(CreateDiscussionRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        caller.EnsureAccount("create discussions");
        var discussion = new Discussion
        {
            DiscussionId = InviteCodes.NewId(),
            Title = TextRules.Name(request.Title, "title", max: 120),
            Description = TextRules.Body(request.Description, "description", min: 0, max: 2000),
            Host = caller.Ref,
            State = DiscussionState.Scheduled,
            ScheduledStartAt = PlannedStart(request.ScheduledStartAt),
            InviteCode = InviteCodes.New(),
            MaxDuration = Duration.FromTimeSpan(options.Value.MaxDuration),
            GuestsMayComment = request.GuestsMayComment,
        };
        await store.CreateDiscussionAsync(discussion, context.CancellationToken);
        if (request.RecordVoice)
        {
            await store.WantRecordingAsync(discussion.DiscussionId, context.CancellationToken);
        }
        await log.AppendAsync(Event(discussion.DiscussionId, e => e.AttendeeJoined = new AttendeeJoined { User = caller.Ref, Role = Role.Host }), context.CancellationToken);
        return new CreateDiscussionResponse { Discussion = DiscussionViews.ForRole(await ReloadAsync(discussion.DiscussionId, context), Role.Host) };
    }

    public override async Task<GetDiscussionResponse> GetDiscussion(GetDiscussionRequest request, ServerCallContext context)
    {
        var id = Validate.Text(request.DiscussionId, "discussion_id", min: 1, max: 64);
        var caller = callers.Resolve(context, id);
        var (discussion, membership) = await store.GetWithMembershipAsync(id, caller.UserId, context.CancellationToken);
        // Anyone may see a live discussion (it is listed); otherwise only those who were in it.
        if (discussion is null || (membership is null && discussion.State != DiscussionState.Live))
        {
            throw RpcErrors.Of(StatusCode.NotFound, "No such discussion.");
        }
        return new GetDiscussionResponse { Discussion = DiscussionViews.ForRole(discussion, membership is { IsMember: true } ? membership.Attendee.Role : Role.Unspecified) };
    }

    public override async Task<ListDiscussionsResponse> ListDiscussions(ListDiscussionsRequest request, ServerCallContext context)
    {
        var caller = callers.Resolve(context);
        caller.EnsureAccount("browse discussions");
        var (offset, limit) = Paging.Page(request.Page);
        var filter = request.Filter == DiscussionFilter.Unspecified ? DiscussionFilter.Live : request.Filter;
        var query = new DiscussionQuery(filter, caller.UserId, clock.GetUtcNow() - options.Value.RecentWindow, offset, limit + 1);
        var found = await store.ListDiscussionsAsync(query, context.CancellationToken);
        var response = new ListDiscussionsResponse { Page = Paging.Next(offset, limit, found.Count) };
        response.Discussions.Add(found.Take(limit).Select(d => DiscussionViews.ForRole(d, d.Host.UserId == caller.UserId ? Role.Host : Role.Unspecified)));
        return response;
    }

    public override async Task<StartDiscussionResponse> StartDiscussion(StartDiscussionRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        RequireRole(me, Role.Host, "start the discussion");
        AppendRules.RequireStartable(discussion.State);
        await hands.StartAsync(discussion.DiscussionId, context.CancellationToken);
        await log.AppendAsync(Event(discussion.DiscussionId, e => e.DiscussionStarted = new DiscussionStarted { StartedAt = Now() }), context.CancellationToken);
        return new StartDiscussionResponse { Discussion = DiscussionViews.ForRole(await ReloadAsync(discussion.DiscussionId, context), me.Role) };
    }

    public override async Task<EndDiscussionResponse> EndDiscussion(EndDiscussionRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        RequireRole(me, Role.Host, "end the discussion");
        AppendRules.RequireEndable(discussion.State);
        await log.AppendAsync(Event(discussion.DiscussionId, e => e.DiscussionEnded = new DiscussionEnded { EndedAt = Now(), Reason = EndReason.ByHost }), context.CancellationToken);
        return new EndDiscussionResponse { Discussion = DiscussionViews.ForRole(await ReloadAsync(discussion.DiscussionId, context), me.Role) };
    }

    public override async Task<RotateInviteCodeResponse> RotateInviteCode(RotateInviteCodeRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        RequireRole(me, Role.CoHost, "change the join link");
        var code = InviteCodes.New();
        await store.SetInviteCodeAsync(discussion.DiscussionId, code, context.CancellationToken);
        return new RotateInviteCodeResponse { InviteCode = code };
    }

    public override async Task<SetReminderResponse> SetReminder(SetReminderRequest request, ServerCallContext context)
    {
        callers.Resolve(context).EnsureAccount("set reminders");
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        if (request.Remind && discussion.State != DiscussionState.Scheduled)
        {
            throw RpcErrors.WithReason(StatusCode.FailedPrecondition,
                discussion.State == DiscussionState.Live ? "The discussion is live already; join it now." : "The discussion is over.", "NOT_SCHEDULED");
        }
        await store.SetReminderAsync(discussion.DiscussionId, me.User.UserId, request.Remind, context.CancellationToken);
        return new SetReminderResponse();
    }

    [AllowAnonymous]
    public override async Task<PreviewInviteResponse> PreviewInvite(PreviewInviteRequest request, ServerCallContext context)
    {
        var code = Validate.Text(request.InviteCode, "invite_code", min: 1, max: 64);
        var discussion = await store.FindByInviteCodeAsync(code, context.CancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "This join link is not valid (it may have been replaced).");
        return new PreviewInviteResponse
        {
            DiscussionId = discussion.DiscussionId,
            Title = discussion.Title,
            Host = discussion.Host,
            State = discussion.State,
            GuestsMayComment = discussion.GuestsMayComment,
            ScheduledStartAt = discussion.ScheduledStartAt,
        };
    }

    public override Task<JoinDiscussionResponse> JoinDiscussion(JoinDiscussionRequest request, ServerCallContext context) =>
        request.InviteCode.Length == 0 && request.DiscussionId.Length > 0
            ? joins.JoinListedAsync(callers.Resolve(context), request.DiscussionId, context.CancellationToken)
            : joins.JoinAsync(callers.Resolve(context), request.InviteCode, context.CancellationToken);

    public override async Task<LeaveDiscussionResponse> LeaveDiscussion(LeaveDiscussionRequest request, ServerCallContext context)
    {
        var (discussion, me) = await RequireMemberAsync(request.DiscussionId, context);
        await RemoveFromRoomAsync(discussion.DiscussionId, me.User, LeaveReason.Left, context);
        return new LeaveDiscussionResponse();
    }

    /// <summary>The discussion and the caller's place in it; PERMISSION_DENIED unless they are in the room.</summary>
    private Task<(Discussion Discussion, Attendee Me)> RequireMemberAsync(string discussionId, ServerCallContext context) =>
        store.RequireMemberAsync(callers.Resolve(context), discussionId, context.CancellationToken);

    private async Task<Discussion> ReloadAsync(string discussionId, ServerCallContext context) =>
        (await store.GetDiscussionAsync(discussionId, context.CancellationToken))!;

    private static void RequireRole(Attendee me, Role least, string action)
    {
        if (me.Role < least)
        {
            throw RpcErrors.Of(StatusCode.PermissionDenied, $"Only {Describe(least)}s{(least == Role.Host ? "" : " and above")} may {action}.");
        }
    }

    private Timestamp Now() => Timestamp.FromDateTimeOffset(clock.GetUtcNow());

    // A planned start is in the future (a minute of grace for clocks and typing) and within 30 days; unset means whenever.
    private Timestamp? PlannedStart(Timestamp? requested)
    {
        if (requested is null)
        {
            return null;
        }
        var at = requested.ToDateTimeOffset();
        var now = clock.GetUtcNow();
        return at < now - TimeSpan.FromMinutes(1) ? throw RpcErrors.InvalidArgument("scheduled_start_at", "is in the past.")
            : at > now + TimeSpan.FromDays(30) ? throw RpcErrors.InvalidArgument("scheduled_start_at", "is more than 30 days ahead.")
            : requested;
    }

    private static DiscussionEvent Event(string discussionId, Action<DiscussionEvent> kind)
    {
        var e = new DiscussionEvent { DiscussionId = discussionId };
        kind(e);
        return e;
    }

    private static string Describe(Role role) => role switch
    {
        Role.Host => "host",
        Role.CoHost => "co-host",
        Role.Participant => "participant",
        _ => "attendee",
    };
}
