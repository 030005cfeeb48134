using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using Microsoft.Data.Sqlite;
using static IWouldArgue.Discussions.Store.StoreRows;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// The discussion store on one SQLite file in WAL mode: readers never block the writer. Reads open a
/// pooled connection each; every write of this process goes through one long-lived connection, one at a
/// time (SQLite admits one writer anyway), and SQLite's write lock keeps sequence numbers unique even if
/// another process writes to the same file.
/// </summary>
/// <param name="connectionString">The SQLite file.</param>
/// <param name="rules">The rules appended events must keep; by default <see cref="DiscussionOptions"/>' defaults.</param>
public sealed partial class SqliteDiscussionStore(string connectionString, AppendRules? rules = null) : IDiscussionStore, IDisposable
{
    private readonly AppendRules _rules = rules ?? new AppendRules(new DiscussionOptions().MaxSpeakers);

    private const int MaxIdleReaders = 16;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    // Idle reader sessions, the most recently used first (its pages are warm). Not a ConcurrentBag: its Count
    // takes every thread's lock, and a profile of the comment path showed readers queueing on them.
    private readonly System.Collections.Concurrent.ConcurrentStack<PreparedCommands> _readers = [];
    private SqliteConnection? _writer;
    // How long Dispose waits for a write under way before closing the writer; set once it has closed it.
    private static readonly TimeSpan WriterCloseWait = TimeSpan.FromSeconds(5);
    private bool _disposed;

    // A discussion's last sequence number, from its log (the newest event; 0 before any), for "discussions d".
    private const string LastSeq = "(SELECT IFNULL(MAX(e.seq), 0) FROM events e WHERE e.discussion_id = d.discussion_id)";

    // A discussion's columns as ReadDiscussion reads them, from "discussions d"; the last sequence number
    // is the log's (migration 8).
    private const string DiscussionColumns = $"""
        d.discussion_id, d.host_id, d.host_name, d.title, d.description, d.state, d.invite_code, d.guests_may_comment,
        d.max_duration_ms, d.created_at, d.scheduled_start_at, d.started_at, d.ended_at, {LastSeq}, d.attendee_count
        """;

    // The columns ReadAttendee reads, in their order.
    private const string AttendeeColumns = "user_id, display_name, guest, role, muted, avatar_url";

    /// <summary>Creates the database file's folder and brings the schema to the latest version.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken = default) =>
        SqliteMigrations.ApplyAsync(connectionString, cancellationToken);

    public async Task CreateDiscussionAsync(Discussion discussion, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var command = Command(connection, """
            INSERT INTO discussions (discussion_id, host_id, host_name, title, description, state, invite_code, guests_may_comment,
                                     max_duration_ms, created_at, scheduled_start_at, attendee_count)
            VALUES ($id, $host_id, $host_name, $title, $description, $state, $invite, $guests, $max_ms, $created, $scheduled, 0)
            """,
            ("$id", discussion.DiscussionId), ("$host_id", discussion.Host.UserId), ("$host_name", discussion.Host.DisplayName),
            ("$title", discussion.Title), ("$description", discussion.Description), ("$state", (int)discussion.State),
            ("$invite", discussion.InviteCode), ("$guests", discussion.GuestsMayComment),
            ("$max_ms", (long)discussion.MaxDuration.ToTimeSpan().TotalMilliseconds),
            ("$created", Now()), ("$scheduled", Ms(discussion.ScheduledStartAt)));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<Discussion?> GetDiscussionAsync(string discussionId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {DiscussionColumns} FROM discussions d WHERE d.discussion_id = $id", ReadDiscussion, cancellationToken, ("$id", discussionId));

    public Task<LiveState?> GetLiveStateAsync(string discussionId, int recentComments, CancellationToken cancellationToken = default) =>
        WithReaderAsync(async session =>
        {
            // One read transaction: in WAL mode every statement in it sees the same committed state.
            using var transaction = session.Connection.BeginTransaction(deferred: true);
            using var commands = new PreparedCommands(session.Connection, transaction);
            var found = await ReadAllAsync(
                commands.Get($"SELECT {DiscussionColumns} FROM discussions d WHERE d.discussion_id = $id", ("$id", discussionId)),
                ReadDiscussion, cancellationToken);
            if (found is not [var discussion])
            {
                return null;
            }
            var speakers = await ReadAllAsync(
                commands.Get(
                    $"""
                    SELECT {AttendeeColumns} FROM attendees
                    WHERE discussion_id = $id AND present = 1 AND role >= $participant ORDER BY role DESC, joined_at, user_id
                    """,
                    ("$id", discussionId), ("$participant", (int)Role.Participant)),
                r => ReadAttendee(r, 0), cancellationToken);
            var reactions = await ReadAllAsync(
                commands.Get("SELECT user_id, reaction, count FROM speaker_reactions WHERE discussion_id = $id", ("$id", discussionId)),
                r => (r.GetString(0), (Reaction)r.GetInt32(1), r.GetInt64(2)), cancellationToken);
            var comments = await ReadAllAsync(
                commands.Get(CommentsPage(newestFirst: true), ("$id", discussionId), ("$cursor", long.MaxValue), ("$limit", recentComments)),
                ReadComment, cancellationToken);
            transaction.Commit();
            return new LiveState(discussion, ReactionTallies.WithReactions(speakers, reactions), [.. comments.AsEnumerable().Reverse()]);
        }, cancellationToken);

    public async Task<(Discussion? Discussion, StoredAttendee? Membership)> GetWithMembershipAsync(string discussionId, string userId, CancellationToken cancellationToken = default)
    {
        var row = await QuerySingleAsync(
            $"""
            SELECT {DiscussionColumns}, a.user_id, a.display_name, a.guest, a.role, a.muted, a.avatar_url, a.present, a.left_reason
            FROM discussions d LEFT JOIN attendees a ON a.discussion_id = d.discussion_id AND a.user_id = $user
            WHERE d.discussion_id = $id
            """,
            r => (ReadDiscussion(r), r.IsDBNull(15) ? null : ReadMembershipAt(r, 15)),
            cancellationToken, ("$id", discussionId), ("$user", userId));
        return (row.Item1, row.Item2);
    }

    public Task<Discussion?> FindByInviteCodeAsync(string inviteCode, CancellationToken cancellationToken = default) =>
        QuerySingleAsync($"SELECT {DiscussionColumns} FROM discussions d WHERE d.invite_code = $code", ReadDiscussion, cancellationToken, ("$code", inviteCode));

    public async Task SetInviteCodeAsync(string discussionId, string inviteCode, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var command = Command(connection, "UPDATE discussions SET invite_code = $code WHERE discussion_id = $id", ("$code", inviteCode), ("$id", discussionId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task WantRecordingAsync(string discussionId, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, """
            INSERT INTO voice_recordings (discussion_id, wanted) VALUES ($id, 1)
            ON CONFLICT (discussion_id) DO UPDATE SET wanted = 1
            """, ("$id", discussionId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<(bool Wanted, Recording? Recording, string? File)> GetRecordingAsync(string discussionId, CancellationToken cancellationToken = default)
    {
        var row = await QuerySingleAsync("SELECT wanted, recording, file FROM voice_recordings WHERE discussion_id = $id",
            r => Tuple.Create(r.GetBoolean(0), r.IsDBNull(1) ? null : Recording.Parser.ParseFrom((byte[])r.GetValue(1)), r.IsDBNull(2) ? null : r.GetString(2)),
            cancellationToken, ("$id", discussionId));
        return row is null ? (false, null, null) : (row.Item1, row.Item2, row.Item3);
    }

    public Task<IReadOnlyList<Discussion>> ListEndedAsync(string userId, DateTimeOffset endedSince, int offset, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync($"""
            SELECT {DiscussionColumns} FROM discussions d JOIN attendees a ON a.discussion_id = d.discussion_id
            WHERE a.user_id = $user AND d.state = $ended AND d.ended_at >= $since
            ORDER BY d.ended_at DESC LIMIT $limit OFFSET $offset
            """, ReadDiscussion, cancellationToken, ("$user", userId), ("$ended", (int)DiscussionState.Ended),
            ("$since", endedSince.ToUnixTimeMilliseconds()), ("$limit", limit), ("$offset", offset));

    public Task<IReadOnlyList<string>> ListEndedBeforeAsync(DateTimeOffset endedBefore, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT discussion_id FROM discussions WHERE state = $ended AND ended_at < $before ORDER BY ended_at LIMIT $limit",
            r => r.GetString(0), cancellationToken, ("$ended", (int)DiscussionState.Ended), ("$before", endedBefore.ToUnixTimeMilliseconds()), ("$limit", limit));

    public async Task<IReadOnlyList<string>> PurgeAsync(string discussionId, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        var connection = writer.Connection;
        using var transaction = connection.BeginTransaction();
        var hashes = new List<string>();
        await using (var find = Command(connection, "SELECT DISTINCT sha256 FROM attachments WHERE discussion_id = $id", ("$id", discussionId)))
        {
            find.Transaction = transaction;
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                hashes.Add(reader.GetString(0));
            }
        }
        foreach (var table in new[] { "events", "comment_ids", "attendees", "bans", "attachments", "speaker_reactions", "reminders", "voice_recordings", "discussions" })
        {
            await using var delete = Command(connection, $"DELETE FROM {table} WHERE discussion_id = $id", ("$id", discussionId));
            delete.Transaction = transaction;
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        transaction.Commit();
        return hashes;
    }

    public Task<IReadOnlyList<Attachment>> ListAttachmentsAsync(string discussionId, int offset, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync("SELECT attachment FROM attachments WHERE discussion_id = $id AND removed = 0 ORDER BY seq LIMIT $limit OFFSET $offset",
            r => Attachment.Parser.ParseFrom((byte[])r.GetValue(0)), cancellationToken, ("$id", discussionId), ("$limit", limit), ("$offset", offset));

    public Task<Attachment?> GetAttachmentAsync(string discussionId, string attachmentId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync("SELECT attachment FROM attachments WHERE discussion_id = $id AND attachment_id = $attachment AND removed = 0",
            r => Attachment.Parser.ParseFrom((byte[])r.GetValue(0)), cancellationToken, ("$id", discussionId), ("$attachment", attachmentId));

    public async Task<long> AttachmentBytesAsync(string discussionId, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync("SELECT COALESCE(SUM(size_bytes), 0) FROM attachments WHERE discussion_id = $id AND removed = 0",
            r => Tuple.Create(r.GetInt64(0)), cancellationToken, ("$id", discussionId)) is { } total ? total.Item1 : 0;

    public async Task<bool> IsContentSharedAsync(string sha256, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync("SELECT 1 WHERE EXISTS (SELECT 1 FROM attachments WHERE sha256 = $sha AND removed = 0) OR EXISTS (SELECT 1 FROM avatars WHERE sha256 = $sha)", r => Tuple.Create(true), cancellationToken, ("$sha", sha256)) is not null;

    public async Task<bool> TryClaimRecordingStartAsync(string discussionId, DateTimeOffset now, DateTimeOffset staleBefore, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, """
            INSERT INTO voice_recordings (discussion_id, starting_since) VALUES ($id, $now)
            ON CONFLICT (discussion_id) DO UPDATE SET starting_since = $now
            WHERE voice_recordings.starting_since IS NULL OR voice_recordings.starting_since < $stale
            """, ("$id", discussionId), ("$now", now.ToUnixTimeMilliseconds()), ("$stale", staleBefore.ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task ReleaseRecordingStartAsync(string discussionId, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, "UPDATE voice_recordings SET starting_since = NULL WHERE discussion_id = $id", ("$id", discussionId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SaveRecordingAsync(Recording recording, string? file = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recording);
        using var writer = await WriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, """
            INSERT INTO voice_recordings (discussion_id, recording, file) VALUES ($id, $recording, $file)
            ON CONFLICT (discussion_id) DO UPDATE SET recording = excluded.recording, file = COALESCE(excluded.file, file)
            """, ("$id", recording.DiscussionId), ("$recording", recording.ToByteArray()), ("$file", (object?)file ?? DBNull.Value));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<Discussion>> ListDiscussionsAsync(DiscussionQuery query, CancellationToken cancellationToken = default)
    {
        return query.Filter switch
        {
            DiscussionFilter.Mine => QueryAsync(
                $"SELECT {DiscussionColumns} FROM discussions d WHERE d.host_id = $user ORDER BY d.created_at DESC LIMIT $limit OFFSET $offset",
                ReadDiscussion, cancellationToken, ("$user", query.UserId), ("$limit", query.Limit), ("$offset", query.Offset)),
            DiscussionFilter.Recent => QueryAsync(
                $"""
                SELECT {DiscussionColumns} FROM discussions d JOIN attendees a ON a.discussion_id = d.discussion_id
                WHERE a.user_id = $user AND d.created_at >= $since
                ORDER BY d.created_at DESC LIMIT $limit OFFSET $offset
                """,
                ReadDiscussion, cancellationToken, ("$user", query.UserId), ("$since", query.Since.ToUnixTimeMilliseconds()), ("$limit", query.Limit), ("$offset", query.Offset)),
            DiscussionFilter.Reminders => QueryAsync(
                $"""
                SELECT {DiscussionColumns} FROM discussions d JOIN reminders r ON r.discussion_id = d.discussion_id
                WHERE r.user_id = $user AND d.state <> $ended
                ORDER BY d.state = $live DESC, COALESCE(d.scheduled_start_at, d.created_at), d.discussion_id LIMIT $limit OFFSET $offset
                """,
                ReadDiscussion, cancellationToken, ("$user", query.UserId), ("$ended", (int)DiscussionState.Ended), ("$live", (int)DiscussionState.Live),
                ("$limit", query.Limit), ("$offset", query.Offset)),
            _ => QueryAsync(
                $"SELECT {DiscussionColumns} FROM discussions d WHERE d.state = $live ORDER BY d.created_at DESC LIMIT $limit OFFSET $offset",
                ReadDiscussion, cancellationToken, ("$live", (int)DiscussionState.Live), ("$limit", query.Limit), ("$offset", query.Offset)),
        };
    }

    public Task<StoredAttendee?> GetAttendeeAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
        QuerySingleAsync(
            $"SELECT {AttendeeColumns}, present, left_reason FROM attendees WHERE discussion_id = $id AND user_id = $user",
            ReadMembership, cancellationToken, ("$id", discussionId), ("$user", userId));

    public Task<IReadOnlyList<Attendee>> ListAttendeesAsync(string discussionId, int offset, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"""
            SELECT {AttendeeColumns} FROM attendees
            WHERE discussion_id = $id AND present = 1 ORDER BY role DESC, joined_at, user_id LIMIT $limit OFFSET $offset
            """,
            r => ReadAttendee(r, 0), cancellationToken, ("$id", discussionId), ("$limit", limit), ("$offset", offset));

    public async Task<int> CountSpeakersAsync(string discussionId, CancellationToken cancellationToken = default) =>
        (await QuerySingleAsync(
            "SELECT COUNT(*) FROM attendees WHERE discussion_id = $id AND present = 1 AND role >= $participant",
            r => r.GetInt32(0), cancellationToken, ("$id", discussionId), ("$participant", (int)Role.Participant)));

    public async Task<bool> IsBannedAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
        await QuerySingleAsync("SELECT 1 FROM bans WHERE discussion_id = $id AND user_id = $user", _ => true, cancellationToken, ("$id", discussionId), ("$user", userId));

    public async Task UnbanAsync(string discussionId, string userId, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        var connection = writer.Connection;
        await using var command = Command(connection, "DELETE FROM bans WHERE discussion_id = $id AND user_id = $user", ("$id", discussionId), ("$user", userId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task AddAvatarAsync(string userId, string sha256, string mediaType, DateTimeOffset uploadedAt, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        await using var command = Command(writer.Connection, """
            INSERT INTO avatars (user_id, sha256, media_type, uploaded_at) VALUES ($user, $sha, $type, $at)
            ON CONFLICT (user_id, sha256) DO UPDATE SET uploaded_at = $at
            """, ("$user", userId), ("$sha", sha256), ("$type", mediaType), ("$at", uploadedAt.ToUnixTimeMilliseconds()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> CountAvatarsSinceAsync(string userId, DateTimeOffset since, CancellationToken cancellationToken = default) =>
        (await QuerySingleAsync("SELECT COUNT(*) FROM avatars WHERE user_id = $user AND uploaded_at >= $since", r => Tuple.Create(r.GetInt32(0)), cancellationToken,
            ("$user", userId), ("$since", since.ToUnixTimeMilliseconds())))!.Item1;

    public async Task<string?> GetAvatarTypeAsync(string sha256, CancellationToken cancellationToken = default) =>
        (await QuerySingleAsync("SELECT media_type FROM avatars WHERE sha256 = $sha LIMIT 1", r => Tuple.Create(r.GetString(0)), cancellationToken, ("$sha", sha256)))?.Item1;

    public async Task SetReminderAsync(string discussionId, string userId, bool remind, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        await using var command = Command(writer.Connection,
            remind ? "INSERT OR IGNORE INTO reminders (user_id, discussion_id) VALUES ($user, $id)" : "DELETE FROM reminders WHERE user_id = $user AND discussion_id = $id",
            ("$id", discussionId), ("$user", userId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<Comment?> GetCommentAsync(string discussionId, string commentId, CancellationToken cancellationToken = default) =>
        WithReaderAsync(async session => (await FindCommentAsync(session, discussionId, commentId, cancellationToken))?.CommentPosted.Comment, cancellationToken);

    /// <summary>
    /// The event that posted a comment, found by the comment's id: one row read when the id carries its seq
    /// (CommentIds), else comment_ids says which row (ids made before schema 7, or given by the appender).
    /// </summary>
    private static async Task<DiscussionEvent?> FindCommentAsync(PreparedCommands commands, string discussionId, string commentId, CancellationToken ct)
    {
        const string ByEventSeq = "SELECT payload FROM events WHERE discussion_id = $id AND seq = $seq AND posts_comment = 1";
        if (CommentIds.TrySeqOf(commentId, out var carried)
            && await ReadAllAsync(commands.Get(ByEventSeq, ("$id", discussionId), ("$seq", (long)carried)), ReadEvent, ct) is [var e]
            && e.CommentPosted.Comment.CommentId == commentId)
        {
            return e;
        }
        var found = await ReadAllAsync(
            commands.Get("SELECT e.payload FROM comment_ids c JOIN events e ON e.discussion_id = c.discussion_id AND e.seq = c.seq WHERE c.discussion_id = $id AND c.comment_id = $comment",
                ("$id", discussionId), ("$comment", commentId)),
            ReadEvent, ct);
        return found is [var other] ? other : null;
    }

    public Task<IReadOnlyList<Comment>> ListCommentsAsync(string discussionId, bool newestFirst, ulong? afterSeq, int limit, CancellationToken cancellationToken = default)
    {
        var cursor = afterSeq is { } seq ? (long)seq : newestFirst ? long.MaxValue : 0;
        return QueryAsync(CommentsPage(newestFirst), ReadComment, cancellationToken, ("$id", discussionId), ("$cursor", cursor), ("$limit", limit));
    }

    // A page of a discussion's comments, read from the events that posted them ($id, $cursor, $limit; read with ReadComment).
    private static string CommentsPage(bool newestFirst) => newestFirst
        ? "SELECT payload FROM events WHERE discussion_id = $id AND posts_comment = 1 AND seq < $cursor ORDER BY seq DESC LIMIT $limit"
        : "SELECT payload FROM events WHERE discussion_id = $id AND posts_comment = 1 AND seq > $cursor ORDER BY seq ASC LIMIT $limit";

    public Task<IReadOnlyList<DiscussionEvent>> ListEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "SELECT payload FROM events WHERE discussion_id = $id AND seq > $after ORDER BY seq LIMIT $limit",
            ReadEvent, cancellationToken, ("$id", discussionId), ("$after", (long)afterSeq), ("$limit", limit));

    public Task<IReadOnlyList<DiscussionEvent>> ListUnpublishedAsync(int limit, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "SELECT payload FROM events WHERE published = 0 ORDER BY occurred_at, discussion_id, seq LIMIT $limit",
            ReadEvent, cancellationToken, ("$limit", limit));

    public async Task MarkPublishedAsync(IEnumerable<DiscussionEvent> events, CancellationToken cancellationToken = default)
    {
        using var writer = await WriterAsync(cancellationToken);
        var connection = writer.Connection;
        using var transaction = connection.BeginTransaction();
        await using var command = Command(connection,
            "UPDATE events SET published = 1 WHERE discussion_id = $id AND seq BETWEEN $from AND $to AND published = 0",
            ("$id", ""), ("$from", 0L), ("$to", 0L));
        command.Transaction = transaction;
        // Events go out in sequence order, so what was published is mostly long runs: one statement per run.
        foreach (var discussion in events.GroupBy(e => e.DiscussionId, StringComparer.Ordinal))
        {
            command.Parameters["$id"].Value = discussion.Key;
            foreach (var (from, to) in Runs(discussion.Select(e => e.Seq)))
            {
                command.Parameters["$from"].Value = (long)from;
                command.Parameters["$to"].Value = (long)to;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        transaction.Commit();
    }

    /// <summary>Consecutive sequence numbers as (first, last) runs.</summary>
    private static IEnumerable<(ulong From, ulong To)> Runs(IEnumerable<ulong> seqs)
    {
        ulong? from = null, to = null;
        foreach (var seq in seqs.Distinct().Order())
        {
            if (to is { } last && seq == last + 1)
            {
                to = seq;
                continue;
            }
            if (from is not null)
            {
                yield return (from.Value, to!.Value);
            }
            from = to = seq;
        }
        if (from is not null)
        {
            yield return (from.Value, to!.Value);
        }
    }

    public Task<IReadOnlyList<string>> ListOverdueAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "SELECT discussion_id FROM discussions WHERE state = $live AND ends_at <= $now",
            r => r.GetString(0), cancellationToken, ("$live", (int)DiscussionState.Live), ("$now", now.ToUnixTimeMilliseconds()));

    public void Dispose()
    {
        StopCheckpoints();
        while (_readers.TryPop(out var session))
        {
            Close(session);
        }
        // A write still under way (a background writer that outlived the host's stop, say while the state store hung)
        // finishes before its connection closes: closed under it, Microsoft.Data.Sqlite threw a NullReferenceException
        // from this Dispose. A write that does not finish within the wait keeps its connection; the process is ending.
        if (_writeLock.Wait(WriterCloseWait))
        {
            _disposed = true;
            _writer?.Dispose();
            _writer = null;
            _writeLock.Release();
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        // Microsoft.Data.Sqlite retries a busy database until the command timeout, so readers need no setup.
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>The writer connection, held until the lease is disposed.</summary>
    private async Task<WriterLease> WriterAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_writer is null)
            {
                var connection = await OpenAsync(cancellationToken);
                // WAL is durable across a process crash with NORMAL; only a power loss may drop the last commits.
                await using var pragma = Command(connection, WriterPragmas);
                await pragma.ExecuteNonQueryAsync(cancellationToken);
                _writer = connection;
                StartCheckpoints();
            }
            return new WriterLease(_writer, _writeLock);
        }
        catch
        {
            _writeLock.Release();
            throw;
        }
    }

    private readonly struct WriterLease(SqliteConnection connection, SemaphoreSlim writeLock) : IDisposable
    {
        public SqliteConnection Connection => connection;

        public void Dispose() => writeLock.Release();
    }

    private Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        WithReaderAsync(session => ReadAllAsync(session.Get(sql, parameters), read, cancellationToken), cancellationToken);

    /// <summary>Runs reads on a reader connection, which keeps its prepared commands between calls; idle ones wait in a small pool.</summary>
    private async Task<T> WithReaderAsync<T>(Func<PreparedCommands, Task<T>> read, CancellationToken cancellationToken)
    {
        var session = _readers.TryPop(out var idle) ? idle : new PreparedCommands(await OpenAsync(cancellationToken));
        T result;
        try
        {
            result = await read(session);
        }
        catch
        {
            Close(session);
            throw;
        }
        Return(session);
        return result;
    }

    private static async Task<IReadOnlyList<T>> ReadAllAsync<T>(SqliteCommand command, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }
        return rows;
    }

    private void Return(PreparedCommands session)
    {
        if (_readers.Count < MaxIdleReaders)
        {
            _readers.Push(session);
        }
        else
        {
            Close(session);
        }
    }

    private static void Close(PreparedCommands session)
    {
        session.Dispose();
        session.Connection.Dispose();
    }

    private async Task<T?> QuerySingleAsync<T>(string sql, Func<SqliteDataReader, T> read, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        (await QueryAsync(sql, read, cancellationToken, parameters)) is [var first, ..] ? first : default;

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    private static long? Ms(Timestamp? time) => time is null ? null : time.ToDateTimeOffset().ToUnixTimeMilliseconds();

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
