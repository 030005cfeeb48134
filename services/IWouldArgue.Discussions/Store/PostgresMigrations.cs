using IWouldArgue.Postgres;
using Npgsql;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// The Discussions store's PostgreSQL schema, as numbered steps applied in order and recorded in <c>schema_migrations</c>
/// (<see cref="PostgresSchema"/>). A step is never edited once released: a change is a new step.
/// </summary>
internal static class PostgresMigrations
{
    // Any fixed number: the advisory lock that makes instances take turns at migrating.
    private const long MigrationLock = 0x1_0A27_0001;

    private static readonly string[] Steps =
    [
        """
        CREATE TABLE discussions (
            discussion_id TEXT PRIMARY KEY,
            host_id TEXT NOT NULL,
            host_name TEXT NOT NULL,
            title TEXT NOT NULL,
            description TEXT NOT NULL,
            state INTEGER NOT NULL,
            invite_code TEXT NOT NULL UNIQUE,
            guests_may_comment BOOLEAN NOT NULL,
            max_duration_ms BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            scheduled_start_at BIGINT,
            started_at BIGINT,
            ends_at BIGINT,
            ended_at BIGINT,
            last_seq BIGINT NOT NULL DEFAULT 0,
            attendee_count BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX discussions_by_host ON discussions (host_id, created_at DESC);
        CREATE INDEX discussions_by_state ON discussions (state, created_at DESC);
        CREATE INDEX discussions_overdue ON discussions (ends_at) WHERE state = 2;
        CREATE INDEX discussions_ended ON discussions (ended_at) WHERE state = 3;

        CREATE TABLE attendees (
            discussion_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            guest BOOLEAN NOT NULL,
            role INTEGER NOT NULL,
            muted BOOLEAN NOT NULL DEFAULT FALSE,
            present BOOLEAN NOT NULL,
            joined_at BIGINT NOT NULL,
            left_reason INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (discussion_id, user_id)
        );
        CREATE INDEX attendees_by_user ON attendees (user_id, joined_at DESC);

        CREATE TABLE bans (
            discussion_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            banned_at BIGINT NOT NULL,
            PRIMARY KEY (discussion_id, user_id)
        );

        CREATE TABLE events (
            discussion_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            occurred_at BIGINT NOT NULL,
            payload BYTEA NOT NULL,
            published BOOLEAN NOT NULL DEFAULT FALSE,
            posts_comment BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (discussion_id, seq)
        );
        CREATE INDEX events_unpublished ON events (occurred_at, discussion_id, seq) WHERE NOT published;
        CREATE INDEX events_comments ON events (discussion_id, seq) WHERE posts_comment;

        CREATE TABLE comment_ids (
            discussion_id TEXT NOT NULL,
            comment_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            PRIMARY KEY (discussion_id, comment_id)
        );

        CREATE TABLE voice_recordings (
            discussion_id TEXT PRIMARY KEY,
            wanted BOOLEAN NOT NULL DEFAULT FALSE,
            recording BYTEA,
            file TEXT,
            starting_since BIGINT
        );

        CREATE TABLE attachments (
            discussion_id TEXT NOT NULL,
            attachment_id TEXT NOT NULL,
            seq BIGINT NOT NULL,
            size_bytes BIGINT NOT NULL,
            sha256 TEXT NOT NULL,
            attachment BYTEA NOT NULL,
            removed BOOLEAN NOT NULL DEFAULT FALSE,
            PRIMARY KEY (discussion_id, attachment_id)
        );
        CREATE INDEX attachments_by_blob ON attachments (sha256) WHERE NOT removed;
        """,

        // 2: reactions to speakers, a total per kind (a comment's totals live in the event that posted it).
        """
        CREATE TABLE speaker_reactions (
            discussion_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            reaction INTEGER NOT NULL,
            count BIGINT NOT NULL,
            PRIMARY KEY (discussion_id, user_id, reaction)
        );
        """,

        // 3: reminders of a scheduled discussion's start, listed per person.
        """
        CREATE TABLE reminders (
            user_id TEXT NOT NULL,
            discussion_id TEXT NOT NULL,
            PRIMARY KEY (user_id, discussion_id)
        );
        CREATE INDEX reminders_by_discussion ON reminders (discussion_id);
        """,

        // 4: profile pictures, kept per person; their bytes are in the blob store by hash.
        """
        CREATE TABLE avatars (
            user_id TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            media_type TEXT NOT NULL,
            uploaded_at BIGINT NOT NULL,
            PRIMARY KEY (user_id, sha256)
        );
        CREATE INDEX avatars_by_content ON avatars (sha256);
        ALTER TABLE attendees ADD COLUMN avatar_url TEXT;
        """,
    ];

    /// <summary>The version the last step brings the schema to.</summary>
    public static int Latest => Steps.Length;

    /// <summary>Applies the steps not applied yet; returns the schema version.</summary>
    public static Task<int> ApplyAsync(NpgsqlDataSource database, CancellationToken cancellationToken) =>
        PostgresSchema.MigrateAsync(database, Steps, "schema_migrations", MigrationLock, cancellationToken);
}
