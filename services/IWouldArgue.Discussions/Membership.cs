using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Api;
using IWouldArgue.Discussions.Store;
using Grpc.Core;

namespace IWouldArgue.Discussions;

/// <summary>The check every service (Discussions itself, Media, Attachments, Archive) makes before acting in a discussion.</summary>
public static class Membership
{
    /// <summary>
    /// The discussion and what the store knows of the caller in it (null when they never joined; the
    /// discussion null when there is none): INVALID_ARGUMENT for a malformed id, PERMISSION_DENIED when the
    /// caller's pass does not cover it.
    /// </summary>
    public static async Task<(Discussion? Discussion, StoredAttendee? Membership)> FindWithCallerAsync(this IDiscussionStore store, Caller caller, string? discussionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(caller);
        var id = Validate.Text(discussionId, "discussion_id", min: 1, max: 64);
        caller.EnsureMayEnter(id);
        return await store.GetWithMembershipAsync(id, caller.UserId, cancellationToken);
    }

    /// <summary>
    /// The discussion and the caller's place in it: INVALID_ARGUMENT for a malformed id, PERMISSION_DENIED when
    /// the caller's pass does not cover it or they are not in it (saying so when they were removed or banned),
    /// NOT_FOUND when there is no such discussion.
    /// </summary>
    public static async Task<(Discussion Discussion, Attendee Me)> RequireMemberAsync(this IDiscussionStore store, Caller caller, string? discussionId, CancellationToken cancellationToken)
    {
        var (discussion, membership) = await store.FindWithCallerAsync(caller, discussionId, cancellationToken);
        if (discussion is null)
        {
            throw RpcErrors.Of(StatusCode.NotFound, "No such discussion.");
        }
        return membership is { IsMember: true }
            ? (discussion, membership.Attendee)
            : throw RpcErrors.Of(StatusCode.PermissionDenied, membership?.LeftReason switch
            {
                LeaveReason.Banned => "You were banned from this discussion.",
                LeaveReason.Removed => "You were removed from this discussion.",
                _ => "You are not in this discussion; join it with its link first.",
            });
    }
}
