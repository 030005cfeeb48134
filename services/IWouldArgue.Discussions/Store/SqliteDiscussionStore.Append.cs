using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using Microsoft.Data.Sqlite;
using static IWouldArgue.Discussions.Store.StoreRows;

namespace IWouldArgue.Discussions.Store;

public sealed partial class SqliteDiscussionStore
{
    // Each discussion's last sequence number (read from the log: see migration 8) and attendee count as this
    // writer last committed them, so a batch need not read them back. Valid only while no other connection has
    // written to the file (another process or store on the same database): SQLite's data_version says so, and
    // any change empties it. Guarded by the writer lock, like the writer connection.
    private readonly Dictionary<string, Counters> _committedCounters = new(StringComparer.Ordinal);
    private long _countersDataVersion = -1;

    public async Task<IReadOnlyList<DiscussionEvent>> AppendAsync(IReadOnlyList<DiscussionEvent> events, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        var connection = writer.Connection;
        // BEGIN IMMEDIATE takes the write lock up front, so the sequence read below cannot be raced.
        using var transaction = connection.BeginTransaction(deferred: false);
        // One prepared command per statement for the whole batch: parsing SQL per row was the main cost.
        using var statements = new PreparedCommands(connection, transaction);
        var counters = new Dictionary<string, Counters>(StringComparer.Ordinal);
        var dataVersion = (long)(await statements.Get("PRAGMA data_version").ExecuteScalarAsync(cancellationToken))!;
        if (dataVersion != _countersDataVersion)
        {
            _committedCounters.Clear();
        }
        var stored = new List<DiscussionEvent>(events.Count);
        var now = DateTimeOffset.UtcNow;
        foreach (var original in events)
        {
            var e = original.Clone();
            if (!counters.TryGetValue(e.DiscussionId, out var counter))
            {
                // A copy: the batch may still roll back.
                counter = _committedCounters.TryGetValue(e.DiscussionId, out var committed)
                    ? new Counters { LastSeq = committed.LastSeq, AttendeeCount = committed.AttendeeCount, StoredAttendeeCount = committed.AttendeeCount, State = committed.State }
                    : await ReadCountersAsync(statements, e.DiscussionId, cancellationToken);
                counters[e.DiscussionId] = counter;
            }
            await AdmitAsync(statements, e, counter, cancellationToken);
            counter.LastSeq++;
            e.Seq = counter.LastSeq;
            e.OccurredAt ??= Timestamp.FromDateTimeOffset(now);
            await ApplyAsync(statements, e, counter, cancellationToken);
            await statements.ExecuteAsync(cancellationToken,
                "INSERT INTO events (discussion_id, seq, occurred_at, payload, posts_comment) VALUES ($id, $seq, $at, $payload, $comment)",
                ("$id", e.DiscussionId), ("$seq", (long)e.Seq), ("$at", e.OccurredAt.ToDateTimeOffset().ToUnixTimeMilliseconds()), ("$payload", e.ToByteArray()),
                ("$comment", e.KindCase == DiscussionEvent.KindOneofCase.CommentPosted));
            stored.Add(e);
        }
        foreach (var (discussionId, counter) in counters)
        {
            if (counter.AttendeeCount != counter.StoredAttendeeCount)
            {
                await statements.ExecuteAsync(cancellationToken,
                    "UPDATE discussions SET attendee_count = $count WHERE discussion_id = $id", ("$count", counter.AttendeeCount), ("$id", discussionId));
                counter.StoredAttendeeCount = counter.AttendeeCount;
            }
        }
        transaction.Commit();
        // Our own commit leaves our connection's data_version as it was; another writer's would change it.
        foreach (var (discussionId, counter) in counters)
        {
            _committedCounters[discussionId] = counter;
        }
        _countersDataVersion = dataVersion;
        if (_committedCounters.Count > 100_000)
        {
            _committedCounters.Clear();
        }
        return stored;
    }

    private static async Task<Counters> ReadCountersAsync(PreparedCommands statements, string discussionId, CancellationToken cancellationToken)
    {
        var command = statements.Get($"SELECT {LastSeq}, d.attendee_count, d.state FROM discussions d WHERE d.discussion_id = $id", ("$id", discussionId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Counters
            {
                LastSeq = (ulong)reader.GetInt64(0),
                AttendeeCount = reader.GetInt64(1),
                StoredAttendeeCount = reader.GetInt64(1),
                State = (DiscussionState)reader.GetInt32(2),
            }
            : throw new InvalidOperationException($"Discussion {discussionId} does not exist; its events cannot be stored.");
    }

    // The rules (AppendRules) against what this transaction sees: the state from the counters, which the batch keeps
    // current; the person and the seats read here, after the batch's earlier events were applied. Comments, the bulk
    // of the log, cost no read.
    private async Task AdmitAsync(PreparedCommands statements, DiscussionEvent e, Counters counter, CancellationToken ct)
    {
        if (AppendRules.NeedsState(e))
        {
            counter.State = AppendRules.AdmitByState(e, counter.State);
        }
        else if (e.KindCase == DiscussionEvent.KindOneofCase.RoleChanged)
        {
            var target = await ReadMembershipAsync(statements, e.DiscussionId, e.RoleChanged.User.UserId, ct);
            _rules.AdmitRoleChange(e.RoleChanged, target, await CountSpeakersAsync(statements, e.DiscussionId, ct));
        }
        else if (e.AttendeeJoined is { Reconnected: false } join)
        {
            var earlier = await ReadMembershipAsync(statements, e.DiscussionId, join.User.UserId, ct);
            var banned = await statements.Get("SELECT 1 FROM bans WHERE discussion_id = $id AND user_id = $user",
                ("$id", e.DiscussionId), ("$user", join.User.UserId)).ExecuteScalarAsync(ct) is not null;
            _rules.AdmitJoin(join, counter.State, earlier, banned, await CountSpeakersAsync(statements, e.DiscussionId, ct));
        }
    }

    private static async Task<StoredAttendee?> ReadMembershipAsync(PreparedCommands statements, string id, string userId, CancellationToken ct)
    {
        var command = statements.Get($"SELECT {AttendeeColumns}, present, left_reason FROM attendees WHERE discussion_id = $id AND user_id = $user",
            ("$id", id), ("$user", userId));
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadMembership(reader) : null;
    }

    private static async Task<int> CountSpeakersAsync(PreparedCommands statements, string id, CancellationToken ct) =>
        (int)(long)(await statements.Get("SELECT COUNT(*) FROM attendees WHERE discussion_id = $id AND present = 1 AND role >= $participant",
            ("$id", id), ("$participant", (int)Role.Participant)).ExecuteScalarAsync(ct))!;

    // What each event changes in the read tables. Counts in the event (attendee_count) are set here,
    // inside the transaction, so they are exact.
    private static async Task ApplyAsync(PreparedCommands statements, DiscussionEvent e, Counters counter, CancellationToken ct)
    {
        var id = e.DiscussionId;
        var at = e.OccurredAt.ToDateTimeOffset().ToUnixTimeMilliseconds();
        switch (e.KindCase)
        {
            case DiscussionEvent.KindOneofCase.CommentPosted:
                if (CommentIds.Number(e))
                {
                    // An id given by whoever appended the comment: it says nothing of where the comment is.
                    await statements.ExecuteAsync(ct, "INSERT INTO comment_ids (discussion_id, comment_id, seq) VALUES ($id, $comment, $seq)",
                        ("$id", id), ("$comment", e.CommentPosted.Comment.CommentId), ("$seq", (long)e.Seq));
                }
                break;
            case DiscussionEvent.KindOneofCase.CommentDeleted:
                await ScrubCommentAsync(statements, id, e.CommentDeleted.CommentId, ct);
                break;
            case DiscussionEvent.KindOneofCase.Reacted:
                var reacted = e.Reacted;
                if (reacted.CommentId.Length > 0)
                {
                    if (await FindCommentAsync(statements, id, reacted.CommentId, ct) is { } target)
                    {
                        reacted.Count = ReactionTallies.Add(target.CommentPosted.Comment.Reactions, reacted.Reaction);
                        await statements.ExecuteAsync(ct, "UPDATE events SET payload = $payload WHERE discussion_id = $id AND seq = $seq",
                            ("$payload", target.ToByteArray()), ("$id", id), ("$seq", (long)target.Seq));
                    }
                }
                else
                {
                    reacted.Count = (uint)(long)(await statements.Get("""
                        INSERT INTO speaker_reactions (discussion_id, user_id, reaction, count) VALUES ($id, $user, $reaction, 1)
                        ON CONFLICT (discussion_id, user_id, reaction) DO UPDATE SET count = count + 1 RETURNING count
                        """, ("$id", id), ("$user", reacted.SpeakerUserId), ("$reaction", (int)reacted.Reaction)).ExecuteScalarAsync(ct))!;
                }
                break;
            case DiscussionEvent.KindOneofCase.RoleChanged:
                await statements.ExecuteAsync(ct, "UPDATE attendees SET role = $role WHERE discussion_id = $id AND user_id = $user",
                    ("$role", (int)e.RoleChanged.Role), ("$id", id), ("$user", e.RoleChanged.User.UserId));
                break;
            case DiscussionEvent.KindOneofCase.AttachmentAdded:
                var file = e.AttachmentAdded.Attachment;
                file.UploadedAt ??= e.OccurredAt;
                await statements.ExecuteAsync(ct, """
                    INSERT INTO attachments (discussion_id, attachment_id, seq, size_bytes, sha256, attachment)
                    VALUES ($id, $attachment, $seq, $size, $sha, $bytes)
                    """,
                    ("$id", id), ("$attachment", file.AttachmentId), ("$seq", (long)e.Seq), ("$size", (long)file.SizeBytes),
                    ("$sha", file.Sha256), ("$bytes", file.ToByteArray()));
                break;
            case DiscussionEvent.KindOneofCase.AttachmentRemoved:
                await statements.ExecuteAsync(ct, "UPDATE attachments SET removed = 1 WHERE discussion_id = $id AND attachment_id = $attachment",
                    ("$id", id), ("$attachment", e.AttachmentRemoved.AttachmentId));
                break;
            case DiscussionEvent.KindOneofCase.ParticipantMuted:
                await statements.ExecuteAsync(ct, "UPDATE attendees SET muted = 1 WHERE discussion_id = $id AND user_id = $user",
                    ("$id", id), ("$user", e.ParticipantMuted.User.UserId));
                break;
            case DiscussionEvent.KindOneofCase.AttendeeJoined:
                var joined = e.AttendeeJoined;
                if (joined.Reconnected)
                {
                    // Only a member who is merely disconnected comes back this way; never someone removed meanwhile.
                    await statements.ExecuteAsync(ct, "UPDATE attendees SET present = 1, left_reason = 0 WHERE discussion_id = $id AND user_id = $user AND left_reason = $disconnected",
                        ("$id", id), ("$user", joined.User.UserId), ("$disconnected", (int)LeaveReason.Disconnected));
                }
                else
                {
                    await statements.ExecuteAsync(ct, """
                        INSERT INTO attendees (discussion_id, user_id, display_name, guest, role, present, joined_at, avatar_url)
                        VALUES ($id, $user, $name, $guest, $role, 1, $at, $avatar)
                        ON CONFLICT (discussion_id, user_id) DO UPDATE SET present = 1, left_reason = 0, display_name = $name, role = $role, avatar_url = $avatar
                        """,
                        ("$id", id), ("$user", joined.User.UserId), ("$name", joined.User.DisplayName), ("$guest", joined.User.Guest),
                        ("$role", (int)joined.Role), ("$at", at), ("$avatar", joined.User.AvatarUrl.Length > 0 ? joined.User.AvatarUrl : null));
                }
                counter.AttendeeCount = await CountPresentAsync(statements, id, ct);
                joined.AttendeeCount = (uint)counter.AttendeeCount;
                break;
            case DiscussionEvent.KindOneofCase.AttendeeLeft:
                var left = e.AttendeeLeft;
                // A disconnect never overrides a stronger reason (left, removed, banned) recorded meanwhile.
                await statements.ExecuteAsync(ct, "UPDATE attendees SET present = 0, left_reason = $reason WHERE discussion_id = $id AND user_id = $user AND (present = 1 OR $reason <> $disconnected)",
                    ("$id", id), ("$user", left.User.UserId), ("$reason", (int)left.Reason), ("$disconnected", (int)LeaveReason.Disconnected));
                if (left.Reason == LeaveReason.Banned)
                {
                    await statements.ExecuteAsync(ct, "INSERT OR IGNORE INTO bans (discussion_id, user_id, banned_at) VALUES ($id, $user, $at)",
                        ("$id", id), ("$user", left.User.UserId), ("$at", at));
                }
                counter.AttendeeCount = await CountPresentAsync(statements, id, ct);
                left.AttendeeCount = (uint)counter.AttendeeCount;
                break;
            case DiscussionEvent.KindOneofCase.DiscussionStarted:
                await statements.ExecuteAsync(ct, """
                    UPDATE discussions SET state = $live, started_at = $at, ends_at = $at + max_duration_ms WHERE discussion_id = $id
                    """, ("$live", (int)DiscussionState.Live), ("$at", at), ("$id", id));
                break;
            case DiscussionEvent.KindOneofCase.DiscussionEnded:
                await statements.ExecuteAsync(ct, "UPDATE discussions SET state = $ended, ended_at = $at WHERE discussion_id = $id",
                    ("$ended", (int)DiscussionState.Ended), ("$at", at), ("$id", id));
                break;
        }
    }

    // A deleted comment's text is gone: the event that posted it, where the comment lives, keeps a tombstone.
    private static async Task ScrubCommentAsync(PreparedCommands statements, string id, string commentId, CancellationToken ct)
    {
        if (await FindCommentAsync(statements, id, commentId, ct) is not { } posted)
        {
            return;
        }
        posted.CommentPosted.Comment.Text = "";
        posted.CommentPosted.Comment.Deleted = true;
        await statements.ExecuteAsync(ct, "UPDATE events SET payload = $payload WHERE discussion_id = $id AND seq = $seq",
            ("$payload", posted.ToByteArray()), ("$id", id), ("$seq", (long)posted.Seq));
    }

    private static async Task<long> CountPresentAsync(PreparedCommands statements, string id, CancellationToken ct) =>
        (long)(await statements.Get("SELECT COUNT(*) FROM attendees WHERE discussion_id = $id AND present = 1", ("$id", id)).ExecuteScalarAsync(ct))!;

    private sealed class Counters
    {
        public ulong LastSeq { get; set; }

        public long AttendeeCount { get; set; }

        /// <summary>The attendee count the discussions table holds (written only when a batch changes it).</summary>
        public long StoredAttendeeCount { get; set; }

        /// <summary>The discussion's state after the events counted so far (for <see cref="AppendRules"/>).</summary>
        public DiscussionState State { get; set; }
    }
}
