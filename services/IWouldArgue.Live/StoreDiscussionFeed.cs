using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Live;

/// <summary>
/// The Discussions store, raised hands and the pinned comment read directly: Live and Discussions in one process, or
/// Live instances sharing the database (and the state store) with the Discussions instances.
/// </summary>
public sealed class StoreDiscussionFeed(IDiscussionStore store, RaisedHands hands, PinnedComments pins) : IDiscussionFeed
{
    // Hands and the pin come from the state store; when thousands open the room at once, their reads are shared (each
    // still read after its caller asked, so never older than the snapshot's seq).
    private readonly FreshReads<IReadOnlyList<RaisedHand>> _hands = new();
    private readonly FreshReads<Comment?> _pins = new();

    /// <inheritdoc/>
    public async Task<WatchAccess?> GetAccessAsync(string discussionId, string userId, CancellationToken cancellationToken = default)
    {
        var (discussion, membership) = await store.GetWithMembershipAsync(discussionId, userId, cancellationToken);
        return discussion is null
            ? null
            : new WatchAccess(discussion, membership?.Attendee.Role ?? Role.Unspecified, membership is { IsMember: true }, membership?.LeftReason ?? LeaveReason.Unspecified);
    }

    /// <inheritdoc/>
    public async Task<Snapshot> GetSnapshotAsync(string discussionId, Role viewerRole, int recentComments, CancellationToken cancellationToken = default)
    {
        var state = await store.GetLiveStateAsync(discussionId, recentComments, cancellationToken)
            ?? throw new InvalidOperationException($"Discussion {discussionId} vanished while being read.");
        var snapshot = new Snapshot
        {
            Discussion = DiscussionViews.ForRole(state.Discussion, viewerRole),
            AttendeeCount = state.Discussion.AttendeeCount,
            Seq = state.Discussion.LastSeq,
        };
        snapshot.Speakers.Add(state.Speakers);
        snapshot.RecentComments.Add(state.RecentComments);
        // Hands live in the state store, outside the log's transaction: read after, they may already
        // include the hand events right after Seq (which then apply as no-ops).
        snapshot.RaisedHands.Add(await _hands.ReadAsync(discussionId, () => PatientlyAsync(() => hands.ListAsync(discussionId)), cancellationToken));
        snapshot.PinnedComment = await _pins.ReadAsync(discussionId, () => PatientlyAsync(() => pins.GetAsync(discussionId)), cancellationToken);
        return snapshot;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DiscussionEvent>> GetEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default) =>
        store.ListEventsAsync(discussionId, afterSeq, limit, cancellationToken);

    // A shared read serves everyone who waits on it: when the state store does not answer, it is tried again a few
    // times over about 7 s before failing them all (the callers then get UNAVAILABLE and reconnect). A broker that
    // stalls for a moment while thousands open the room delays their snapshots instead of refusing them: in the tier
    // bench one unanswered read after a single retry refused 141 of 20,000 arriving watchers.
    private static readonly TimeSpan[] RetryAfter = [TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    private static async Task<T> PatientlyAsync<T>(Func<Task<T>> read)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (BuildingBlockUnavailableException) when (attempt < RetryAfter.Length)
            {
                await Task.Delay(RetryAfter[attempt]);
            }
        }
    }
}
