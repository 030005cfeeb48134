using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// Durable discussion data. Every change is an event: <see cref="AppendAsync"/> numbers events densely
/// per discussion and applies each one's effect on the read tables (comments, attendees, the discussion)
/// in the same transaction, so the log and what is read from it never disagree.
/// SQLite implements it here; schema.cql is the ScyllaDB design of the same queries.
/// </summary>
public interface IDiscussionStore
{
    /// <summary>Stores a new discussion (sequence 0, no events yet).</summary>
    Task CreateDiscussionAsync(Discussion discussion, CancellationToken cancellationToken = default);

    /// <summary>One discussion, or null.</summary>
    Task<Discussion?> GetDiscussionAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>A discussion and someone's membership in it, in one read; (null, null) when there is no such discussion.</summary>
    Task<(Discussion? Discussion, StoredAttendee? Membership)> GetWithMembershipAsync(string discussionId, string userId, CancellationToken cancellationToken = default);

    /// <summary>
    /// What a live view starts from, read as one consistent view: the discussion (its last_seq is the
    /// sequence the rest reflects), the people present with a speaking role, and the latest comments, oldest
    /// first. Null when there is no such discussion.
    /// </summary>
    Task<LiveState?> GetLiveStateAsync(string discussionId, int recentComments, CancellationToken cancellationToken = default);

    /// <summary>The discussion a live invite code opens, or null.</summary>
    Task<Discussion?> FindByInviteCodeAsync(string inviteCode, CancellationToken cancellationToken = default);

    /// <summary>Replaces a discussion's invite code.</summary>
    Task SetInviteCodeAsync(string discussionId, string inviteCode, CancellationToken cancellationToken = default);

    /// <summary>Notes that the host wants the voice recorded from the start.</summary>
    Task WantRecordingAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Whether the host wants a recording from the start, the recording if one was made, and where its file
    /// is (a path on the egress worker's disk, or <c>s3://bucket/key</c>; never shown to users).
    /// </summary>
    Task<(bool Wanted, Recording? Recording, string? File)> GetRecordingAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>Ended discussions <paramref name="userId"/> was in (as host or attendee) that ended since <paramref name="endedSince"/>, latest first.</summary>
    Task<IReadOnlyList<Discussion>> ListEndedAsync(string userId, DateTimeOffset endedSince, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>Ids of discussions that ended before <paramref name="endedBefore"/> (up to <paramref name="limit"/>).</summary>
    Task<IReadOnlyList<string>> ListEndedBeforeAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes a discussion and everything recorded about it (events, comments, people, bans, reminders, reactions,
    /// files' records, recording) in one transaction; returns the content hashes of its files, for the blob store.
    /// </summary>
    Task<IReadOnlyList<string>> PurgeAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>A discussion's shared files, oldest first (not the removed ones).</summary>
    Task<IReadOnlyList<Attachment>> ListAttachmentsAsync(string discussionId, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>One shared file, unless removed.</summary>
    Task<Attachment?> GetAttachmentAsync(string discussionId, string attachmentId, CancellationToken cancellationToken = default);

    /// <summary>The bytes a discussion's shared files take (the removed ones not counted).</summary>
    Task<long> AttachmentBytesAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>Whether any shared file not removed still has this content.</summary>
    Task<bool> IsContentSharedAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the starting of the discussion's recording (one at a time: starting one twice would record twice);
    /// false while another claim younger than <paramref name="staleBefore"/> stands.
    /// </summary>
    Task<bool> TryClaimRecordingStartAsync(string discussionId, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken = default);

    /// <summary>Gives up a claim taken by <see cref="TryClaimRecordingStartAsync"/>.</summary>
    Task ReleaseRecordingStartAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>Stores the discussion's recording (replacing the one stored), and where its file is when <paramref name="file"/> is given.</summary>
    Task SaveRecordingAsync(Recording recording, string? file = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records a picture someone uploaded for their profile. Pictures are kept (events that showed one keep showing
    /// it) and their bytes count as shared (<see cref="IsContentSharedAsync"/>).
    /// </summary>
    Task AddAvatarAsync(string userId, string sha256, string mediaType, DateTimeOffset uploadedAt, CancellationToken cancellationToken = default);

    /// <summary>How many pictures someone uploaded since <paramref name="since"/> (the same picture again counts once).</summary>
    Task<int> CountAvatarsSinceAsync(string userId, DateTimeOffset since, CancellationToken cancellationToken = default);

    /// <summary>The media type of an uploaded picture, or null when none has this hash.</summary>
    Task<string?> GetAvatarTypeAsync(string sha256, CancellationToken cancellationToken = default);

    /// <summary>Sets (or takes back) someone's reminder of a discussion's start.</summary>
    Task SetReminderAsync(string discussionId, string userId, bool remind, CancellationToken cancellationToken = default);

    /// <summary>Discussions by filter, newest first (reminders: live first, then the soonest), one page at a time.</summary>
    Task<IReadOnlyList<Discussion>> ListDiscussionsAsync(DiscussionQuery query, CancellationToken cancellationToken = default);

    /// <summary>Someone's membership in a discussion, or null when they never joined.</summary>
    Task<StoredAttendee?> GetAttendeeAsync(string discussionId, string userId, CancellationToken cancellationToken = default);

    /// <summary>The people present, hosts and speakers first.</summary>
    Task<IReadOnlyList<Attendee>> ListAttendeesAsync(string discussionId, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>How many present people hold a speaking role (participant and above).</summary>
    Task<int> CountSpeakersAsync(string discussionId, CancellationToken cancellationToken = default);

    /// <summary>Whether the user is banned from the discussion.</summary>
    Task<bool> IsBannedAsync(string discussionId, string userId, CancellationToken cancellationToken = default);

    /// <summary>Lets a banned user join again (a ban itself is the effect of an AttendeeLeft event).</summary>
    Task UnbanAsync(string discussionId, string userId, CancellationToken cancellationToken = default);

    /// <summary>One comment, or null.</summary>
    Task<Comment?> GetCommentAsync(string discussionId, string commentId, CancellationToken cancellationToken = default);

    /// <summary>Comments in sequence order (or reversed), after a sequence cursor.</summary>
    Task<IReadOnlyList<Comment>> ListCommentsAsync(string discussionId, bool newestFirst, ulong? afterSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends events, giving each the next sequence number of its discussion (1, 2, 3, ... with no gap),
    /// and applies their effects, all in one transaction. Returns the events as stored.
    /// </summary>
    Task<IReadOnlyList<DiscussionEvent>> AppendAsync(IReadOnlyList<DiscussionEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Events of a discussion after a sequence number, in order.</summary>
    Task<IReadOnlyList<DiscussionEvent>> ListEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default);

    /// <summary>Events not yet handed to pub/sub, oldest first (the outbox).</summary>
    Task<IReadOnlyList<DiscussionEvent>> ListUnpublishedAsync(int limit, CancellationToken cancellationToken = default);

    /// <summary>Marks events as handed to pub/sub.</summary>
    Task MarkPublishedAsync(IEnumerable<DiscussionEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Live discussions whose maximum duration has passed.</summary>
    Task<IReadOnlyList<string>> ListOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}

/// <summary>A membership as stored: the person, their role, whether they are in the room, and if not, why.</summary>
public sealed record StoredAttendee(Attendee Attendee, bool Present, LeaveReason LeftReason = LeaveReason.Unspecified)
{
    /// <summary>
    /// Whether they belong to the discussion: present, or only disconnected (their connection dropped;
    /// they may act and come back). Those who left, were removed or banned must join again (if they may).
    /// </summary>
    public bool IsMember => Present || LeftReason == LeaveReason.Disconnected;
}

/// <summary>A discussion's state at its last sequence number: what a live view starts from.</summary>
public sealed record LiveState(Discussion Discussion, IReadOnlyList<Attendee> Speakers, IReadOnlyList<Comment> RecentComments);

/// <summary>Which discussions to list.</summary>
/// <param name="Filter">Live, hosted by the caller, or attended recently.</param>
/// <param name="UserId">The caller, for MINE and RECENT.</param>
/// <param name="Since">For RECENT: only discussions created after this.</param>
/// <param name="Offset">How many to skip (the page token).</param>
/// <param name="Limit">Page size.</param>
public sealed record DiscussionQuery(DiscussionFilter Filter, string UserId, DateTimeOffset Since, int Offset, int Limit);
