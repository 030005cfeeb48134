using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using Npgsql;
using static IWouldArgue.Discussions.Store.StoreRows;

namespace IWouldArgue.Discussions.Store;

public sealed partial class PostgresDiscussionStore
{
    // Deadlocks and serialization failures are PostgreSQL asking for the transaction again.
    private const int Attempts = 5;

    public async Task<IReadOnlyList<DiscussionEvent>> AppendAsync(IReadOnlyList<DiscussionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryAppendAsync(events, cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure && attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(10 * attempt), cancellationToken);
            }
        }
    }

    private async Task<IReadOnlyList<DiscussionEvent>> TryAppendAsync(IReadOnlyList<DiscussionEvent> events, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var sql = new Statements(connection, transaction);
        // Every discussion of the batch locked at once, in id order: its counters are then this transaction's alone.
        var ids = events.Select(e => e.DiscussionId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var counters = (await ReadAllAsync(Command(connection, transaction,
                "SELECT discussion_id, last_seq, attendee_count, state FROM discussions WHERE discussion_id = ANY(@ids) ORDER BY discussion_id FOR UPDATE",
                ("ids", ids)),
            r => (Id: r.GetString(0), Counter: new Counters { LastSeq = (ulong)r.GetInt64(1), AttendeeCount = r.GetInt64(2), State = (DiscussionState)r.GetInt32(3) }),
            cancellationToken)).ToDictionary(c => c.Id, c => c.Counter, StringComparer.Ordinal);
        var stored = new List<DiscussionEvent>(events.Count);
        var now = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow);
        foreach (var original in events)
        {
            var e = original.Clone();
            if (!counters.TryGetValue(e.DiscussionId, out var counter))
            {
                throw new InvalidOperationException($"Discussion {e.DiscussionId} does not exist; its events cannot be stored.");
            }
            await AdmitAsync(connection, transaction, e, counter, cancellationToken);
            counter.LastSeq++;
            e.Seq = counter.LastSeq;
            e.OccurredAt ??= now;
            await ApplyAsync(connection, transaction, e, counter, cancellationToken);
            await sql.ExecuteAsync(cancellationToken,
                "INSERT INTO events (discussion_id, seq, occurred_at, payload, posts_comment) VALUES (@id, @seq, @at, @payload, @comment)",
                ("id", e.DiscussionId), ("seq", (long)e.Seq), ("at", e.OccurredAt.ToDateTimeOffset().ToUnixTimeMilliseconds()), ("payload", e.ToByteArray()),
                ("comment", e.KindCase == DiscussionEvent.KindOneofCase.CommentPosted));
            stored.Add(e);
        }
        foreach (var (id, counter) in counters)
        {
            await sql.ExecuteAsync(cancellationToken,
                "UPDATE discussions SET last_seq = @seq, attendee_count = @count WHERE discussion_id = @id",
                ("seq", (long)counter.LastSeq), ("count", counter.AttendeeCount), ("id", id));
        }
        await transaction.CommitAsync(cancellationToken);
        return stored;
    }

    // AppendRules against what this transaction sees (the batch's earlier events applied, the discussion locked).
    private async Task AdmitAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DiscussionEvent e, Counters counter, CancellationToken ct)
    {
        if (AppendRules.NeedsState(e))
        {
            counter.State = AppendRules.AdmitByState(e, counter.State);
        }
        else if (e.KindCase == DiscussionEvent.KindOneofCase.RoleChanged)
        {
            var target = await MembershipAsync(connection, transaction, e.DiscussionId, e.RoleChanged.User.UserId, ct);
            _rules.AdmitRoleChange(e.RoleChanged, target, await SpeakersAsync(connection, transaction, e.DiscussionId, ct));
        }
        else if (e.AttendeeJoined is { Reconnected: false } join)
        {
            var earlier = await MembershipAsync(connection, transaction, e.DiscussionId, join.User.UserId, ct);
            var banned = (await ReadAllAsync(Command(connection, transaction, "SELECT 1 FROM bans WHERE discussion_id = @id AND user_id = @user",
                ("id", e.DiscussionId), ("user", join.User.UserId)), _ => true, ct)).Count > 0;
            _rules.AdmitJoin(join, counter.State, earlier, banned, await SpeakersAsync(connection, transaction, e.DiscussionId, ct));
        }
    }

    private static async Task<StoredAttendee?> MembershipAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, string userId, CancellationToken ct) =>
        await ReadAllAsync(Command(connection, transaction, $"SELECT {MembershipColumns} FROM attendees WHERE discussion_id = @id AND user_id = @user",
            ("id", id), ("user", userId)), ReadMembership, ct) is [var found] ? found : null;

    private static async Task<int> SpeakersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, CancellationToken ct) =>
        (int)(await ReadAllAsync(Command(connection, transaction, "SELECT COUNT(*) FROM attendees WHERE discussion_id = @id AND present AND role >= @participant",
            ("id", id), ("participant", (int)Role.Participant)), r => r.GetInt64(0), ct))[0];

    // What each event changes in the read tables, as SqliteDiscussionStore.ApplyAsync does on its schema.
    private static async Task ApplyAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, DiscussionEvent e, Counters counter, CancellationToken ct)
    {
        var sql = new Statements(connection, transaction);
        var id = e.DiscussionId;
        var at = e.OccurredAt.ToDateTimeOffset().ToUnixTimeMilliseconds();
        switch (e.KindCase)
        {
            case DiscussionEvent.KindOneofCase.CommentPosted:
                if (CommentIds.Number(e))
                {
                    // An id given by whoever appended the comment: it says nothing of where the comment is.
                    await sql.ExecuteAsync(ct, "INSERT INTO comment_ids (discussion_id, comment_id, seq) VALUES (@id, @comment, @seq)",
                        ("id", id), ("comment", e.CommentPosted.Comment.CommentId), ("seq", (long)e.Seq));
                }
                break;
            case DiscussionEvent.KindOneofCase.CommentDeleted:
                if (await FindCommentAsync(connection, transaction, id, e.CommentDeleted.CommentId, ct) is { } posted)
                {
                    posted.CommentPosted.Comment.Text = "";
                    posted.CommentPosted.Comment.Deleted = true;
                    await sql.ExecuteAsync(ct, "UPDATE events SET payload = @payload WHERE discussion_id = @id AND seq = @seq",
                        ("payload", posted.ToByteArray()), ("id", id), ("seq", (long)posted.Seq));
                }
                break;
            case DiscussionEvent.KindOneofCase.Reacted:
                var reacted = e.Reacted;
                if (reacted.CommentId.Length > 0)
                {
                    if (await FindCommentAsync(connection, transaction, id, reacted.CommentId, ct) is { } target)
                    {
                        reacted.Count = ReactionTallies.Add(target.CommentPosted.Comment.Reactions, reacted.Reaction);
                        await sql.ExecuteAsync(ct, "UPDATE events SET payload = @payload WHERE discussion_id = @id AND seq = @seq",
                            ("payload", target.ToByteArray()), ("id", id), ("seq", (long)target.Seq));
                    }
                }
                else
                {
                    reacted.Count = (uint)(await ReadAllAsync(Command(connection, transaction, """
                        INSERT INTO speaker_reactions (discussion_id, user_id, reaction, count) VALUES (@id, @user, @reaction, 1)
                        ON CONFLICT (discussion_id, user_id, reaction) DO UPDATE SET count = speaker_reactions.count + 1 RETURNING count
                        """, ("id", id), ("user", reacted.SpeakerUserId), ("reaction", (int)reacted.Reaction)), r => r.GetInt64(0), ct))[0];
                }
                break;
            case DiscussionEvent.KindOneofCase.RoleChanged:
                await sql.ExecuteAsync(ct, "UPDATE attendees SET role = @role WHERE discussion_id = @id AND user_id = @user",
                    ("role", (int)e.RoleChanged.Role), ("id", id), ("user", e.RoleChanged.User.UserId));
                break;
            case DiscussionEvent.KindOneofCase.AttachmentAdded:
                var file = e.AttachmentAdded.Attachment;
                file.UploadedAt ??= e.OccurredAt;
                await sql.ExecuteAsync(ct, """
                    INSERT INTO attachments (discussion_id, attachment_id, seq, size_bytes, sha256, attachment)
                    VALUES (@id, @attachment, @seq, @size, @sha, @bytes)
                    """,
                    ("id", id), ("attachment", file.AttachmentId), ("seq", (long)e.Seq), ("size", (long)file.SizeBytes), ("sha", file.Sha256), ("bytes", file.ToByteArray()));
                break;
            case DiscussionEvent.KindOneofCase.AttachmentRemoved:
                await sql.ExecuteAsync(ct, "UPDATE attachments SET removed = TRUE WHERE discussion_id = @id AND attachment_id = @attachment",
                    ("id", id), ("attachment", e.AttachmentRemoved.AttachmentId));
                break;
            case DiscussionEvent.KindOneofCase.ParticipantMuted:
                await sql.ExecuteAsync(ct, "UPDATE attendees SET muted = TRUE WHERE discussion_id = @id AND user_id = @user",
                    ("id", id), ("user", e.ParticipantMuted.User.UserId));
                break;
            case DiscussionEvent.KindOneofCase.AttendeeJoined:
                var joined = e.AttendeeJoined;
                if (joined.Reconnected)
                {
                    // Only a member who is merely disconnected comes back this way; never someone removed meanwhile.
                    await sql.ExecuteAsync(ct, "UPDATE attendees SET present = TRUE, left_reason = 0 WHERE discussion_id = @id AND user_id = @user AND left_reason = @disconnected",
                        ("id", id), ("user", joined.User.UserId), ("disconnected", (int)LeaveReason.Disconnected));
                }
                else
                {
                    await sql.ExecuteAsync(ct, """
                        INSERT INTO attendees (discussion_id, user_id, display_name, guest, role, present, joined_at, avatar_url)
                        VALUES (@id, @user, @name, @guest, @role, TRUE, @at, @avatar)
                        ON CONFLICT (discussion_id, user_id) DO UPDATE SET present = TRUE, left_reason = 0, display_name = @name, role = @role, avatar_url = @avatar
                        """,
                        ("id", id), ("user", joined.User.UserId), ("name", joined.User.DisplayName), ("guest", joined.User.Guest), ("role", (int)joined.Role), ("at", at),
                        ("avatar", joined.User.AvatarUrl.Length > 0 ? joined.User.AvatarUrl : null));
                }
                counter.AttendeeCount = await PresentAsync(connection, transaction, id, ct);
                joined.AttendeeCount = (uint)counter.AttendeeCount;
                break;
            case DiscussionEvent.KindOneofCase.AttendeeLeft:
                var left = e.AttendeeLeft;
                // A disconnect never overrides a stronger reason (left, removed, banned) recorded meanwhile.
                await sql.ExecuteAsync(ct, "UPDATE attendees SET present = FALSE, left_reason = @reason WHERE discussion_id = @id AND user_id = @user AND (present OR @reason <> @disconnected)",
                    ("id", id), ("user", left.User.UserId), ("reason", (int)left.Reason), ("disconnected", (int)LeaveReason.Disconnected));
                if (left.Reason == LeaveReason.Banned)
                {
                    await sql.ExecuteAsync(ct, "INSERT INTO bans (discussion_id, user_id, banned_at) VALUES (@id, @user, @at) ON CONFLICT DO NOTHING",
                        ("id", id), ("user", left.User.UserId), ("at", at));
                }
                counter.AttendeeCount = await PresentAsync(connection, transaction, id, ct);
                left.AttendeeCount = (uint)counter.AttendeeCount;
                break;
            case DiscussionEvent.KindOneofCase.DiscussionStarted:
                await sql.ExecuteAsync(ct, "UPDATE discussions SET state = @live, started_at = @at, ends_at = @at + max_duration_ms WHERE discussion_id = @id",
                    ("live", (int)DiscussionState.Live), ("at", at), ("id", id));
                break;
            case DiscussionEvent.KindOneofCase.DiscussionEnded:
                await sql.ExecuteAsync(ct, "UPDATE discussions SET state = @ended, ended_at = @at WHERE discussion_id = @id",
                    ("ended", (int)DiscussionState.Ended), ("at", at), ("id", id));
                break;
        }
    }

    private static async Task<long> PresentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string id, CancellationToken ct) =>
        (await ReadAllAsync(Command(connection, transaction, "SELECT COUNT(*) FROM attendees WHERE discussion_id = @id AND present", ("id", id)), r => r.GetInt64(0), ct))[0];

    private sealed class Counters
    {
        public ulong LastSeq { get; set; }

        public long AttendeeCount { get; set; }

        public DiscussionState State { get; set; }
    }
}
