using IWouldArgue.Sqlite;

namespace IWouldArgue.Discussions.Store;

/// <summary>The Discussions schema, as numbered migrations (see <see cref="SqliteSchema"/>).</summary>
internal static class SqliteMigrations
{
    private static readonly string[] Steps =
    [
        // 1: discussions, people, comments and the event log (which doubles as the outbox).
        """
        CREATE TABLE discussions (
            discussion_id TEXT PRIMARY KEY,
            host_id TEXT NOT NULL,
            host_name TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            state INTEGER NOT NULL,
            invite_code TEXT NOT NULL UNIQUE,
            guests_may_comment INTEGER NOT NULL,
            max_duration_ms INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            scheduled_start_at INTEGER,
            started_at INTEGER,
            ends_at INTEGER,
            ended_at INTEGER,
            last_seq INTEGER NOT NULL DEFAULT 0,
            attendee_count INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX discussions_by_host ON discussions (host_id, created_at DESC);
        CREATE INDEX discussions_by_state ON discussions (state, created_at DESC);
        CREATE INDEX discussions_overdue ON discussions (ends_at) WHERE state = 2;

        CREATE TABLE attendees (
            discussion_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            guest INTEGER NOT NULL,
            role INTEGER NOT NULL,
            muted INTEGER NOT NULL DEFAULT 0,
            present INTEGER NOT NULL,
            joined_at INTEGER NOT NULL,
            PRIMARY KEY (discussion_id, user_id)
        ) WITHOUT ROWID;
        CREATE INDEX attendees_by_user ON attendees (user_id, joined_at DESC);

        CREATE TABLE bans (
            discussion_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            banned_at INTEGER NOT NULL,
            PRIMARY KEY (discussion_id, user_id)
        ) WITHOUT ROWID;

        CREATE TABLE comments (
            discussion_id TEXT NOT NULL,
            comment_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            author_guest INTEGER NOT NULL,
            text TEXT NOT NULL,
            reply_to TEXT NOT NULL,
            posted_at INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (discussion_id, comment_id)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX comments_by_seq ON comments (discussion_id, seq);

        CREATE TABLE events (
            discussion_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            occurred_at INTEGER NOT NULL,
            payload BLOB NOT NULL,
            published INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (discussion_id, seq)
        ) WITHOUT ROWID;
        CREATE INDEX events_unpublished ON events (occurred_at) WHERE published = 0;
        """,

        // 2: why someone is no longer present (a disconnected member is still a member).
        """
        ALTER TABLE attendees ADD COLUMN left_reason INTEGER NOT NULL DEFAULT 0;
        """,

        // 3: the voice recording of a discussion: whether the host wants one from the start, and the
        // recording itself (an iwouldargue.v1.Recording: egress id, state, start time, file).
        """
        CREATE TABLE voice_recordings (
            discussion_id TEXT PRIMARY KEY,
            wanted INTEGER NOT NULL DEFAULT 0,
            recording BLOB
        );
        """,

        // 4: files shared in discussions (an iwouldargue.v1.Attachment each; the bytes live in the blob store).
        """
        CREATE TABLE attachments (
            discussion_id TEXT NOT NULL,
            attachment_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            attachment BLOB NOT NULL,
            removed INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (discussion_id, attachment_id)
        );
        CREATE INDEX attachments_by_blob ON attachments (sha256) WHERE removed = 0;
        """,

        // 5: where a recording's file is (a path on the egress worker's disk, or s3://bucket/key), kept
        // apart from the recording users see.
        """
        ALTER TABLE voice_recordings ADD COLUMN file TEXT;
        """,

        // 6: since when a recording is being started (the claim that keeps two starts from recording twice).
        """
        ALTER TABLE voice_recordings ADD COLUMN starting_since INTEGER;
        """,

        // 7: comments stored by (discussion, seq), without an index by id: new comment ids carry their seq
        // (CommentIds); older ids are found by reading their discussion's comments.
        """
        CREATE TABLE comments_by_seq_new (
            discussion_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            comment_id TEXT NOT NULL,
            author_id TEXT NOT NULL,
            author_name TEXT NOT NULL,
            author_guest INTEGER NOT NULL,
            text TEXT NOT NULL,
            reply_to TEXT NOT NULL,
            posted_at INTEGER NOT NULL,
            deleted INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (discussion_id, seq)
        ) WITHOUT ROWID;
        INSERT INTO comments_by_seq_new (discussion_id, seq, comment_id, author_id, author_name, author_guest, text, reply_to, posted_at, deleted)
            SELECT discussion_id, seq, comment_id, author_id, author_name, author_guest, text, reply_to, posted_at, deleted FROM comments;
        DROP TABLE comments;
        ALTER TABLE comments_by_seq_new RENAME TO comments;
        """,

        // 8: a comment lives only in the event that posted it, and a discussion's last sequence number is
        // read from its log: an append writes one row per comment, not three (the store benchmark with 50
        // discussions posting at once: 58 -> 31 µs per comment). Ids that do not carry their seq
        // (CommentIds) keep a row in comment_ids saying where their comment is.
        """
        ALTER TABLE events ADD COLUMN posts_comment INTEGER NOT NULL DEFAULT 0;
        UPDATE events SET posts_comment = 1
            WHERE EXISTS (SELECT 1 FROM comments c WHERE c.discussion_id = events.discussion_id AND c.seq = events.seq);
        CREATE TABLE comment_ids (
            discussion_id TEXT NOT NULL,
            comment_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (discussion_id, comment_id)
        ) WITHOUT ROWID;
        INSERT INTO comment_ids (discussion_id, comment_id, seq) SELECT discussion_id, comment_id, seq FROM comments;
        DROP TABLE comments;
        ALTER TABLE discussions DROP COLUMN last_seq;
        """,

        // 9: reactions to speakers, a total per kind (a comment's totals live in the event that posted it).
        """
        CREATE TABLE speaker_reactions (
            discussion_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            reaction INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (discussion_id, user_id, reaction)
        ) WITHOUT ROWID;
        """,

        // 10: reminders of a scheduled discussion's start, listed per person.
        """
        CREATE TABLE reminders (
            user_id TEXT NOT NULL,
            discussion_id TEXT NOT NULL,
            PRIMARY KEY (user_id, discussion_id)
        ) WITHOUT ROWID;
        CREATE INDEX reminders_by_discussion ON reminders (discussion_id);
        """,

        // 11: profile pictures, kept per person; their bytes are in the blob store by hash.
        """
        CREATE TABLE avatars (
            user_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            media_type TEXT NOT NULL,
            uploaded_at INTEGER NOT NULL,
            PRIMARY KEY (user_id, sha256)
        ) WITHOUT ROWID;
        CREATE INDEX avatars_by_content ON avatars (sha256);
        ALTER TABLE attendees ADD COLUMN avatar_url TEXT;
        """,
    ];

    /// <summary>The newest schema version this build knows.</summary>
    public static int Latest => Steps.Length;

    public static Task ApplyAsync(string connectionString, CancellationToken cancellationToken) =>
        SqliteSchema.MigrateAsync(connectionString, Steps, cancellationToken);

    /// <summary>Brings a database to <paramref name="version"/> only, as an older build would have left it.</summary>
    internal static Task ApplyUpToAsync(string connectionString, int version, CancellationToken cancellationToken) =>
        SqliteSchema.MigrateAsync(connectionString, Steps[..version], cancellationToken);
}
