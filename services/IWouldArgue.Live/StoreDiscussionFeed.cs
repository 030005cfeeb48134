using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Live;

/// <summary>The Discussions store and raised hands read directly: Live and Discussions in one process, or sharing a database.</summary>
public sealed class StoreDiscussionFeed(IDiscussionStore store, RaisedHands hands) : IDiscussionFeed
{
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
        // The discussion first: its last_seq is the snapshot's sequence, and everything read after it is
        // either exactly as of that sequence (comments, by their seq) or newer (see the interface).
        var discussion = await store.GetDiscussionAsync(discussionId, cancellationToken)
            ?? throw new InvalidOperationException($"Discussion {discussionId} vanished while being read.");
        var snapshot = new Snapshot
        {
            Discussion = DiscussionViews.ForRole(discussion, viewerRole),
            AttendeeCount = discussion.AttendeeCount,
            Seq = discussion.LastSeq,
        };
        // Attendees come hosts and speakers first, so the speakers are the head of the list.
        const int Page = 100;
        for (var offset = 0; ; offset += Page)
        {
            var page = await store.ListAttendeesAsync(discussionId, offset, Page, cancellationToken);
            snapshot.Speakers.Add(page.TakeWhile(a => a.Role >= Role.Participant));
            if (page.Count < Page || page[^1].Role < Role.Participant)
            {
                break;
            }
        }
        snapshot.RaisedHands.Add(await hands.ListAsync(discussionId, cancellationToken));
        var comments = await store.ListCommentsAsync(discussionId, newestFirst: true, afterSeq: discussion.LastSeq + 1, recentComments, cancellationToken);
        snapshot.RecentComments.Add(comments.Reverse());
        return snapshot;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<DiscussionEvent>> GetEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default) =>
        store.ListEventsAsync(discussionId, afterSeq, limit, cancellationToken);
}
