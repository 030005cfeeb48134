using System.Data.Common;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// Rows as both relational stores lay them out (SQLite and PostgreSQL share column orders): a discussion's columns, an
/// attendee's, a membership's, an event's payload. Times are Unix milliseconds.
/// </summary>
internal static class StoreRows
{
    /// <summary>A discussion from its 15 columns (discussion_id ... attendee_count).</summary>
    public static Discussion ReadDiscussion(DbDataReader r) => new()
    {
        DiscussionId = r.GetString(0),
        Host = new UserRef { UserId = r.GetString(1), DisplayName = r.GetString(2) },
        Title = r.GetString(3),
        Description = r.GetString(4),
        State = (DiscussionState)r.GetInt32(5),
        InviteCode = r.GetString(6),
        GuestsMayComment = r.GetBoolean(7),
        MaxDuration = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(r.GetInt64(8))),
        ScheduledStartAt = Time(r, 10),
        StartedAt = Time(r, 11),
        EndedAt = Time(r, 12),
        LastSeq = (ulong)r.GetInt64(13),
        AttendeeCount = (uint)r.GetInt64(14),
    };

    /// <summary>An attendee from user_id, display_name, guest, role, muted, avatar_url, starting at column <paramref name="first"/>.</summary>
    public static Attendee ReadAttendee(DbDataReader r, int first) => new()
    {
        User = new UserRef
        {
            UserId = r.GetString(first),
            DisplayName = r.GetString(first + 1),
            Guest = r.GetBoolean(first + 2),
            AvatarUrl = r.IsDBNull(first + 5) ? "" : r.GetString(first + 5),
        },
        Role = (Role)r.GetInt32(first + 3),
        Muted = r.GetBoolean(first + 4),
    };

    /// <summary>A membership: the attendee's columns, then present and left_reason, from the first column.</summary>
    public static StoredAttendee ReadMembership(DbDataReader r) => ReadMembershipAt(r, 0);

    /// <summary>A membership starting at column <paramref name="first"/>.</summary>
    public static StoredAttendee ReadMembershipAt(DbDataReader r, int first) =>
        new(ReadAttendee(r, first), r.GetBoolean(first + 6), (LeaveReason)r.GetInt32(first + 7));

    /// <summary>The comment an event's payload (column 0) posted.</summary>
    public static Comment ReadComment(DbDataReader r) => ReadEvent(r).CommentPosted.Comment;

    /// <summary>An event from its payload (column 0).</summary>
    public static DiscussionEvent ReadEvent(DbDataReader r) => DiscussionEvent.Parser.ParseFrom((byte[])r[0]);

    private static Timestamp? Time(DbDataReader r, int column) =>
        r.IsDBNull(column) ? null : Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(column)));
}
