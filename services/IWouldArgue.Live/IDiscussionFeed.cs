using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Live;

/// <summary>
/// What Live reads from the Discussions side: who may watch, the state to start from, and the event log
/// that backs resume and gap repair. In-process in the embedded host (<see cref="StoreDiscussionFeed"/>).
/// </summary>
public interface IDiscussionFeed
{
    /// <summary>The discussion and the caller's place in it (null when there is no such discussion).</summary>
    Task<WatchAccess?> GetAccessAsync(string discussionId, string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The discussion's state at one sequence number. The discussion, speakers, comments and count are
    /// exactly as of <see cref="Snapshot.Seq"/>; raised hands (kept in the state store, not the log) may
    /// already include the hand events right after it, which then apply to the client as no-ops.
    /// </summary>
    Task<Snapshot> GetSnapshotAsync(string discussionId, Role viewerRole, int recentComments, CancellationToken cancellationToken = default);

    /// <summary>Logged events after <paramref name="afterSeq"/>, in order, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<DiscussionEvent>> GetEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default);
}

/// <summary>A discussion and a would-be watcher's standing in it.</summary>
/// <param name="Discussion">The discussion.</param>
/// <param name="Role">Their role, when they are in the room.</param>
/// <param name="Member">Whether they belong to it: joined and not since left, removed or banned (a dropped connection does not count).</param>
/// <param name="LeftReason">Why a former member is no longer one (unspecified when they never joined).</param>
public sealed record WatchAccess(Discussion Discussion, Role Role, bool Member, LeaveReason LeftReason = LeaveReason.Unspecified);
