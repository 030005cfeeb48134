using Grpc.Core;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Discussions.Api;

/// <summary>
/// Joining a discussion by its link: what <c>JoinDiscussion</c> does for a caller, and what <c>JoinAsGuest</c> does for
/// the guest it has just made (in the embedded default, in this process; in the mesh, Identity calls JoinDiscussion).
/// </summary>
public sealed class JoinByLink(IDiscussionStore store, EventAppender log)
{
    /// <summary>Makes <paramref name="caller"/> a member of the discussion whose link carries <paramref name="inviteCode"/>.</summary>
    public async Task<JoinDiscussionResponse> JoinAsync(Caller caller, string inviteCode, CancellationToken cancellationToken)
    {
        var code = Validate.Text(inviteCode, "invite_code", min: 1, max: 64);
        var discussion = await store.FindByInviteCodeAsync(code, cancellationToken)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "This join link is not valid (it may have been replaced).");
        return await JoinAsync(caller, discussion, cancellationToken);
    }

    /// <summary>
    /// Makes <paramref name="caller"/> a member of a live discussion found by its id, as ListDiscussions(LIVE) lists it to
    /// every account ("Live now"); one not live is NOT_FOUND, as if unlisted.
    /// </summary>
    public async Task<JoinDiscussionResponse> JoinListedAsync(Caller caller, string discussionId, CancellationToken cancellationToken)
    {
        var id = Validate.Text(discussionId, "discussion_id", min: 1, max: 64);
        var discussion = await store.GetDiscussionAsync(id, cancellationToken);
        if (discussion?.State != DiscussionState.Live)
        {
            throw RpcErrors.Of(StatusCode.NotFound, "No live discussion has this id; a discussion that has not started is joined with its link.");
        }
        return await JoinAsync(caller, discussion, cancellationToken);
    }

    private async Task<JoinDiscussionResponse> JoinAsync(Caller caller, Discussion discussion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        caller.EnsureMayEnter(discussion.DiscussionId);
        AppendRules.RequireJoinable(discussion.State);
        if (await store.IsBannedAsync(discussion.DiscussionId, caller.UserId, cancellationToken))
        {
            throw Membership.NotAMember(LeaveReason.Banned);
        }
        var earlier = await store.GetAttendeeAsync(discussion.DiscussionId, caller.UserId, cancellationToken);
        if (earlier is { Present: true })
        {
            return new JoinDiscussionResponse { Discussion = DiscussionViews.ForRole(discussion, earlier.Attendee.Role), Role = earlier.Attendee.Role };
        }
        // Asked with the role they had; the store settles it (AppendRules.AdmitJoin): someone removed comes back as an
        // attendee, a speaker only to a free seat.
        var asked = earlier?.Attendee.Role ?? Role.Attendee;
        var stored = await log.AppendAsync(new DiscussionEvent { DiscussionId = discussion.DiscussionId, AttendeeJoined = new AttendeeJoined { User = caller.Ref, Role = asked } }, cancellationToken);
        var role = stored.AttendeeJoined.Role;
        var joined = (await store.GetDiscussionAsync(discussion.DiscussionId, cancellationToken))!;
        return new JoinDiscussionResponse { Discussion = DiscussionViews.ForRole(joined, role), Role = role };
    }
}
