using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Rpc;

namespace IWouldArgue.Discussions;

/// <summary>The check the services beside Discussions (Media, Attachments) make before acting in a discussion.</summary>
public static class Membership
{
    /// <summary>
    /// The discussion and the caller's place in it: INVALID_ARGUMENT for a malformed id, PERMISSION_DENIED when
    /// the caller's pass does not cover it or they are not in it (saying so when they were removed or banned),
    /// NOT_FOUND when there is no such discussion.
    /// </summary>
    public static async Task<(Discussion Discussion, Attendee Me)> RequireMemberAsync(this IDiscussionStore store, Caller caller, string? discussionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(caller);
        var id = (discussionId ?? "").Trim();
        if (id.Length is 0 or > 64)
        {
            throw RpcErrors.InvalidArgument("discussion_id", id.Length == 0 ? "is required." : "is not a discussion id.");
        }
        caller.EnsureMayEnter(id);
        var (discussion, membership) = await store.GetWithMembershipAsync(id, caller.UserId, cancellationToken);
        if (discussion is null)
        {
            throw new RpcException(StatusCode.NotFound, "No such discussion.");
        }
        return membership is { IsMember: true }
            ? (discussion, membership.Attendee)
            : throw new RpcException(StatusCode.PermissionDenied, membership?.LeftReason switch
            {
                LeaveReason.Banned => "You were banned from this discussion.",
                LeaveReason.Removed => "You were removed from this discussion.",
                _ => "Join the discussion with its link first.",
            });
    }
}
