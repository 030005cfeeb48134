using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using Npgsql;
using static IWouldArgue.Discussions.Store.StoreRows;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// The discussion store on PostgreSQL, for several instances over one database (SQLite stays the embedded default).
/// Appends lock the discussions they number (<c>SELECT ... FOR UPDATE</c>, in id order so two instances never wait on
/// each other in a circle), so sequence numbers are dense and each is given once whichever process appends; the rules
/// (<see cref="AppendRules"/>) are judged under that lock. The outbox is the <c>published</c> flag: any instance sweeps
/// what any other stored, so an instance that dies strands nothing, and an event published twice keeps its sequence
/// number (subscribers dedupe). Same contract as <see cref="SqliteDiscussionStore"/>, same tests.
/// </summary>
public sealed partial class PostgresDiscussionStore : IDiscussionStore, IAsyncDisposable, IDisposable
{
    private readonly NpgsqlDataSource _database;
    private readonly AppendRules _rules;

    // A discussion's columns as ReadDiscussion reads them, from "discussions d".
    private const string DiscussionColumns = """
        d.discussion_id, d.host_id, d.host_name, d.title, d.description, d.state, d.invite_code, d.guests_may_comment,
        d.max_duration_ms, d.created_at, d.scheduled_start_at, d.started_at, d.ended_at, d.last_seq, d.attendee_count
        """;

    // The columns ReadAttendee reads, in their order; with present and left_reason, a membership.
    private const string AttendeeColumns = "user_id, display_name, guest, role, muted, avatar_url";
    private const string MembershipColumns = AttendeeColumns + ", present, left_reason";

    /// <summary>A store on the database <paramref name="connectionString"/> names, keeping to <paramref name="rules"/>.</summary>
    public PostgresDiscussionStore(string connectionString, AppendRules? rules = null)
    {
        _database = NpgsqlDataSource.Create(connectionString);
        _rules = rules ?? new AppendRules(new DiscussionOptions().MaxSpeakers);
    }

    /// <summary>Brings the schema to the latest version (safe when several instances start at once).</summary>
    public Task<int> MigrateAsync(CancellationToken cancellationToken = default) => PostgresMigrations.ApplyAsync(_database, cancellationToken);

    public async Task CreateDiscussionAsync(Discussion discussion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(discussion);
        await ExecuteAsync("""
            INSERT INTO discussions (discussion_id, host_id, host_name, title, description, state, invite_code, guests_may_comment,
                                     max_duration_ms, created_at, scheduled_start_at, attendee_count)
            VALUES (@id, @host_id, @host_name, @title, @description, @state, @invite, @guests, @max_ms, @created, @scheduled, 0)
            """, cancellationToken,
            ("id", discussion.DiscussionId), ("host_id", discussion.Host.UserId), ("host_name", discussion.Host.DisplayName),
            ("title", discussion.Title), ("description", discussion.Description), ("state", (int)discussion.State),
            ("invite", discussion.InviteCode), ("guests", discussion.GuestsMayComment),
            ("max_ms", (long)discussion.MaxDuration.ToTimeSpan().TotalMilliseconds),
            ("created", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("scheduled", Ms(discussion.ScheduledStartAt)));
    }

    public Task<Discussion?> GetDiscussionAsync(string discussionId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {DiscussionColumns} FROM discussions d WHERE d.discussion_id = @id", ReadDiscussion, cancellationToken, ("id", discussionId));

    public async Task<(Discussion? Discussion, StoredAttendee? Membership)> GetWithMembershipAsync(string discussionId, string userId, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync(
            $"""
            SELECT {DiscussionColumns}, a.user_id, a.display_name, a.guest, a.role, a.muted, a.avatar_url, a.present, a.left_reason
            FROM discussions d LEFT JOIN attendees a ON a.discussion_id = d.discussion_id AND a.user_id = @user
            WHERE d.discussion_id = @id
            """,
            r => (ReadDiscussion(r), r.IsDBNull(15) ? null : ReadMembershipAt(r, 15)), cancellationToken, ("id", discussionId), ("user", userId));
        return found is [var row] ? row : (null, null);
    }

    public async Task<LiveState?> GetLiveStateAsync(string discussionId, int recentComments, CancellationToken cancellationToken = default)
    {
        // One snapshot: REPEATABLE READ makes every statement see the same committed state.
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var found = await ReadAllAsync(Command(connection, transaction, $"SELECT {DiscussionColumns} FROM discussions d WHERE d.discussion_id = @id", ("id", discussionId)), ReadDiscussion, cancellationToken);
        if (found is not [var discussion])
        {
            return null;
        }
        var speakers = await ReadAllAsync(Command(connection, transaction,
            $"SELECT {AttendeeColumns} FROM attendees WHERE discussion_id = @id AND present AND role >= @participant ORDER BY role DESC, joined_at, user_id",
            ("id", discussionId), ("participant", (int)Role.Participant)), r => ReadAttendee(r, 0), cancellationToken);
        var comments = await ReadAllAsync(Command(connection, transaction,
            "SELECT payload FROM events WHERE discussion_id = @id AND posts_comment ORDER BY seq DESC LIMIT @limit",
            ("id", discussionId), ("limit", recentComments)), ReadComment, cancellationToken);
        var reactions = await ReadAllAsync(Command(connection, transaction, "SELECT user_id, reaction, count FROM speaker_reactions WHERE discussion_id = @id",
            ("id", discussionId)), r => (r.GetString(0), (Reaction)r.GetInt32(1), r.GetInt64(2)), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new LiveState(discussion, ReactionTallies.WithReactions(speakers, reactions), [.. comments.AsEnumerable().Reverse()]);
    }

    public Task<Discussion?> FindByInviteCodeAsync(string inviteCode, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {DiscussionColumns} FROM discussions d WHERE d.invite_code = @code", ReadDiscussion, cancellationToken, ("code", inviteCode));

    public Task SetInviteCodeAsync(string discussionId, string inviteCode, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE discussions SET invite_code = @code WHERE discussion_id = @id", cancellationToken, ("code", inviteCode), ("id", discussionId));

    public Task WantRecordingAsync(string discussionId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("INSERT INTO voice_recordings (discussion_id, wanted) VALUES (@id, TRUE) ON CONFLICT (discussion_id) DO UPDATE SET wanted = TRUE",
            cancellationToken, ("id", discussionId));

    public async Task<(bool Wanted, Recording? Recording, string? File)> GetRecordingAsync(string discussionId, CancellationToken cancellationToken = default)
    {
        var found = await QueryAsync("SELECT wanted, recording, file FROM voice_recordings WHERE discussion_id = @id",
            r => (r.GetBoolean(0), r.IsDBNull(1) ? null : Recording.Parser.ParseFrom((byte[])r.GetValue(1)), r.IsDBNull(2) ? null : r.GetString(2)),
            cancellationToken, ("id", discussionId));
        return found is [var row] ? row : (false, null, null);
    }

    public Task<IReadOnlyList<Discussion>> ListEndedAsync(string userId, DateTimeOffset endedSince, int offset, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync($"""
            SELECT {DiscussionColumns} FROM discussions d JOIN attendees a ON a.discussion_id = d.discussion_id
            WHERE a.user_id = @user AND d.state = @ended AND d.ended_at >= @since
            ORDER BY d.ended_at DESC LIMIT @limit OFFSET @offset
            """, ReadDiscussion, cancellationToken, ("user", userId), ("ended", (int)DiscussionState.Ended),
            ("since", endedSince.ToUnixTimeMilliseconds()), ("limit", limit), ("offset", offset));

    public Task<IReadOnlyList<string>> ListEndedBeforeAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT discussion_id FROM discussions WHERE state = @ended AND ended_at < @before ORDER BY ended_at LIMIT @limit",
            r => r.GetString(0), cancellationToken, ("ended", (int)DiscussionState.Ended), ("before", endedBefore.ToUnixTimeMilliseconds()), ("limit", limit));

    public async Task<IReadOnlyList<string>> PurgeAsync(string discussionId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var hashes = await ReadAllAsync(Command(connection, transaction, "SELECT DISTINCT sha256 FROM attachments WHERE discussion_id = @id", ("id", discussionId)),
            r => r.GetString(0), cancellationToken);
        foreach (var table in new[] { "events", "comment_ids", "attendees", "bans", "attachments", "speaker_reactions", "reminders", "voice_recordings", "discussions" })
        {
            await using var delete = Command(connection, transaction, $"DELETE FROM {table} WHERE discussion_id = @id", ("id", discussionId));
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return hashes;
    }

    public Task<IReadOnlyList<Attachment>> ListAttachmentsAsync(string discussionId, int offset, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT attachment FROM attachments WHERE discussion_id = @id AND NOT removed ORDER BY seq LIMIT @limit OFFSET @offset",
            r => Attachment.Parser.ParseFrom((byte[])r.GetValue(0)), cancellationToken, ("id", discussionId), ("limit", limit), ("offset", offset));

    public Task<Attachment?> GetAttachmentAsync(string discussionId, string attachmentId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync("SELECT attachment FROM attachments WHERE discussion_id = @id AND attachment_id = @attachment AND NOT removed",
            r => Attachment.Parser.ParseFrom((byte[])r.GetValue(0)), cancellationToken, ("id", discussionId), ("attachment", attachmentId));

    public async Task<long> AttachmentBytesAsync(string discussionId, CancellationToken cancellationToken = default) =>
        (await QueryAsync("SELECT COALESCE(SUM(size_bytes), 0)::BIGINT FROM attachments WHERE discussion_id = @id AND NOT removed",
            r => r.GetInt64(0), cancellationToken, ("id", discussionId)))[0];

    public async Task<bool> IsContentSharedAsync(string sha256, CancellationToken cancellationToken = default) =>
        (await QueryAsync(
            "SELECT 1 WHERE EXISTS (SELECT 1 FROM attachments WHERE sha256 = @sha AND NOT removed) OR EXISTS (SELECT 1 FROM avatars WHERE sha256 = @sha)",
            _ => true, cancellationToken, ("sha", sha256))).Count > 0;

    public async Task<bool> TryClaimRecordingStartAsync(string discussionId, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken = default) =>
        await ExecuteAsync("""
            INSERT INTO voice_recordings (discussion_id, starting_since) VALUES (@id, @now)
            ON CONFLICT (discussion_id) DO UPDATE SET starting_since = @now
            WHERE voice_recordings.starting_since IS NULL OR voice_recordings.starting_since < @stale
            """, cancellationToken, ("id", discussionId), ("now", now.ToUnixTimeMilliseconds()), ("stale", staleBefore.ToUnixTimeMilliseconds())) == 1;

    public Task ReleaseRecordingStartAsync(string discussionId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("UPDATE voice_recordings SET starting_since = NULL WHERE discussion_id = @id", cancellationToken, ("id", discussionId));

    public Task SaveRecordingAsync(Recording recording, string? file = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recording);
        return ExecuteAsync("""
            INSERT INTO voice_recordings (discussion_id, recording, file) VALUES (@id, @recording, @file)
            ON CONFLICT (discussion_id) DO UPDATE SET recording = excluded.recording, file = COALESCE(excluded.file, voice_recordings.file)
            """, cancellationToken, ("id", recording.DiscussionId), ("recording", recording.ToByteArray()), ("file", file));
    }

    public Task<IReadOnlyList<Discussion>> ListDiscussionsAsync(DiscussionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return query.Filter switch
        {
            DiscussionFilter.Mine => QueryAsync(
                $"SELECT {DiscussionColumns} FROM discussions d WHERE d.host_id = @user ORDER BY d.created_at DESC LIMIT @limit OFFSET @offset",
                ReadDiscussion, cancellationToken, ("user", query.UserId), ("limit", query.Limit), ("offset", query.Offset)),
            DiscussionFilter.Recent => QueryAsync(
                $"""
                SELECT {DiscussionColumns} FROM discussions d JOIN attendees a ON a.discussion_id = d.discussion_id
                WHERE a.user_id = @user AND d.created_at >= @since ORDER BY d.created_at DESC LIMIT @limit OFFSET @offset
                """,
                ReadDiscussion, cancellationToken, ("user", query.UserId), ("since", query.Since.ToUnixTimeMilliseconds()), ("limit", query.Limit), ("offset", query.Offset)),
            DiscussionFilter.Reminders => QueryAsync(
                $"""
                SELECT {DiscussionColumns} FROM discussions d JOIN reminders r ON r.discussion_id = d.discussion_id
                WHERE r.user_id = @user AND d.state <> @ended
                ORDER BY d.state = @live DESC, COALESCE(d.scheduled_start_at, d.created_at), d.discussion_id LIMIT @limit OFFSET @offset
                """,
                ReadDiscussion, cancellationToken, ("user", query.UserId), ("ended", (int)DiscussionState.Ended), ("live", (int)DiscussionState.Live),
                ("limit", query.Limit), ("offset", query.Offset)),
            _ => QueryAsync(
                $"SELECT {DiscussionColumns} FROM discussions d WHERE d.state = @live ORDER BY d.created_at DESC LIMIT @limit OFFSET @offset",
                ReadDiscussion, cancellationToken, ("live", (int)DiscussionState.Live), ("limit", query.Limit), ("offset", query.Offset)),
        };
    }

    public Task<StoredAttendee?> GetAttendeeAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {MembershipColumns} FROM attendees WHERE discussion_id = @id AND user_id = @user",
            ReadMembership, cancellationToken, ("id", discussionId), ("user", userId));

    public Task<IReadOnlyList<Attendee>> ListAttendeesAsync(string discussionId, int offset, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {AttendeeColumns} FROM attendees WHERE discussion_id = @id AND present ORDER BY role DESC, joined_at, user_id LIMIT @limit OFFSET @offset",
            r => ReadAttendee(r, 0), cancellationToken, ("id", discussionId), ("limit", limit), ("offset", offset));

    public async Task<int> CountSpeakersAsync(string discussionId, CancellationToken cancellationToken = default) =>
        (int)(await QueryAsync("SELECT COUNT(*) FROM attendees WHERE discussion_id = @id AND present AND role >= @participant",
            r => r.GetInt64(0), cancellationToken, ("id", discussionId), ("participant", (int)Role.Participant)))[0];

    public async Task<bool> IsBannedAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
        (await QueryAsync("SELECT 1 FROM bans WHERE discussion_id = @id AND user_id = @user", _ => true, cancellationToken, ("id", discussionId), ("user", userId))).Count > 0;

    public Task UnbanAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
        ExecuteAsync("DELETE FROM bans WHERE discussion_id = @id AND user_id = @user", cancellationToken, ("id", discussionId), ("user", userId));

    public Task AddAvatarAsync(string userId, string sha256, string mediaType, DateTimeOffset uploadedAt, CancellationToken cancellationToken = default) =>
        ExecuteAsync("""
            INSERT INTO avatars (user_id, sha256, media_type, uploaded_at) VALUES (@user, @sha, @type, @at)
            ON CONFLICT (user_id, sha256) DO UPDATE SET uploaded_at = @at
            """, cancellationToken, ("user", userId), ("sha", sha256), ("type", mediaType), ("at", uploadedAt.ToUnixTimeMilliseconds()));

    public async Task<int> CountAvatarsSinceAsync(string userId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        (await QueryAsync("SELECT COUNT(*)::int FROM avatars WHERE user_id = @user AND uploaded_at >= @since", r => r.GetInt32(0), cancellationToken,
            ("user", userId), ("since", since.ToUnixTimeMilliseconds())))[0];

    public async Task<string?> GetAvatarTypeAsync(string sha256, CancellationToken cancellationToken = default) =>
        (await QueryAsync("SELECT media_type FROM avatars WHERE sha256 = @sha LIMIT 1", r => r.GetString(0), cancellationToken, ("sha", sha256))) is [var type, ..] ? type : null;

    public Task SetReminderAsync(string discussionId, string userId, bool remind, CancellationToken cancellationToken = default) =>
        ExecuteAsync(remind
            ? "INSERT INTO reminders (user_id, discussion_id) VALUES (@user, @id) ON CONFLICT DO NOTHING"
            : "DELETE FROM reminders WHERE user_id = @user AND discussion_id = @id", cancellationToken, ("id", discussionId), ("user", userId));

    public async Task<Comment?> GetCommentAsync(string discussionId, string commentId, CancellationToken cancellationToken = default)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        return (await FindCommentAsync(connection, null, discussionId, commentId, cancellationToken))?.CommentPosted.Comment;
    }

    // The event that posted a comment: one row when the id carries its seq (CommentIds), else comment_ids says which.
    private static async Task<DiscussionEvent?> FindCommentAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string discussionId, string commentId, CancellationToken ct)
    {
        if (CommentIds.TrySeqOf(commentId, out var carried)
            && await ReadAllAsync(Command(connection, transaction, "SELECT payload FROM events WHERE discussion_id = @id AND seq = @seq AND posts_comment",
                ("id", discussionId), ("seq", (long)carried)), ReadEvent, ct) is [var e]
            && e.CommentPosted.Comment.CommentId == commentId)
        {
            return e;
        }
        var found = await ReadAllAsync(Command(connection, transaction,
            "SELECT e.payload FROM comment_ids c JOIN events e ON e.discussion_id = c.discussion_id AND e.seq = c.seq WHERE c.discussion_id = @id AND c.comment_id = @comment",
            ("id", discussionId), ("comment", commentId)), ReadEvent, ct);
        return found is [var other] ? other : null;
    }

    public Task<IReadOnlyList<Comment>> ListCommentsAsync(string discussionId, bool newestFirst, ulong? afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        var cursor = afterSeq is { } seq ? (long)seq : newestFirst ? long.MaxValue : 0;
        return QueryAsync(newestFirst
                ? "SELECT payload FROM events WHERE discussion_id = @id AND posts_comment AND seq < @cursor ORDER BY seq DESC LIMIT @limit"
                : "SELECT payload FROM events WHERE discussion_id = @id AND posts_comment AND seq > @cursor ORDER BY seq ASC LIMIT @limit",
            ReadComment, cancellationToken, ("id", discussionId), ("cursor", cursor), ("limit", limit));
    }

    public Task<IReadOnlyList<DiscussionEvent>> ListEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT payload FROM events WHERE discussion_id = @id AND seq > @after ORDER BY seq LIMIT @limit",
            ReadEvent, cancellationToken, ("id", discussionId), ("after", (long)afterSeq), ("limit", limit));

    public Task<IReadOnlyList<DiscussionEvent>> ListUnpublishedAsync(int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT payload FROM events WHERE NOT published ORDER BY occurred_at, discussion_id, seq LIMIT @limit", ReadEvent, cancellationToken, ("limit", limit));

    public async Task MarkPublishedAsync(IEnumerable<DiscussionEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var discussion in events.GroupBy(e => e.DiscussionId, StringComparer.Ordinal))
        {
            await ExecuteAsync("UPDATE events SET published = TRUE WHERE discussion_id = @id AND seq = ANY(@seqs) AND NOT published", cancellationToken,
                ("id", discussion.Key), ("seqs", discussion.Select(e => (long)e.Seq).ToArray()));
        }
    }

    public Task<IReadOnlyList<string>> ListOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT discussion_id FROM discussions WHERE state = @live AND ends_at <= @now",
            r => r.GetString(0), cancellationToken, ("live", (int)DiscussionState.Live), ("now", now.ToUnixTimeMilliseconds()));

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    public void Dispose() => _database.Dispose();

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        return await ReadAllAsync(Command(connection, null, sql, parameters), read, cancellationToken);
    }

    private async Task<T?> QuerySingleAsync<T>(string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
        where T : class =>
        (await QueryAsync(sql, read, cancellationToken, parameters)) is [var one] ? one : null;

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }
            return rows;
        }
    }

    private static long? Ms(Timestamp? time) => time is null ? null : time.ToDateTimeOffset().ToUnixTimeMilliseconds();
}
