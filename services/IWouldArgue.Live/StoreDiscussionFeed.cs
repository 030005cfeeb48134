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
        snapshot.RaisedHands.Add(await _hands.ReadAsync(discussionId, () => OnceMoreAsync(() => hands.ListAsync(discussionId)), cancellationToken));
        snapshot.PinnedComment = await _pins.ReadAsync(discussionId, () => OnceMoreAsync(() => pins.GetAsync(discussionId)), cancellationToken);
        return snapshot;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DiscussionEvent>> GetEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default) =>
        store.ListEventsAsync(discussionId, afterSeq, limit, cancellationToken);

    // A shared read serves everyone who waits on it: one more try after a moment before failing them all (the caller
    // then gets UNAVAILABLE and reconnects).
    private static async Task<T> OnceMoreAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (BuildingBlockUnavailableException)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250));
            return await read();
        }
    }
}
