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
    /// the caller's pass does not cover it or they are not in it (reason NOT_A_MEMBER, or REMOVED / BANNED),
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
            : throw NotAMember(membership?.LeftReason);
    }

    /// <summary>
    /// PERMISSION_DENIED for someone not in a discussion, saying why: BANNED, REMOVED (they may join again), or NOT_A_MEMBER
    /// (never joined, or left: a live discussion is joined from its link or from "Live now").
    /// </summary>
    public static RpcException NotAMember(LeaveReason? leftReason) => leftReason switch
    {
        LeaveReason.Banned => RpcErrors.WithReason(StatusCode.PermissionDenied, "You were banned from this discussion.", "BANNED"),
        LeaveReason.Removed => RpcErrors.WithReason(StatusCode.PermissionDenied, "You were removed from this discussion; you may join it again with its link.", "REMOVED"),
        _ => RpcErrors.WithReason(StatusCode.PermissionDenied, "You are not in this discussion; join it first.", "NOT_A_MEMBER"),
    };
}
