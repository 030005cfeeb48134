using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Microsoft.Data.Sqlite;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>A SQLite file of its own per test, deleted afterwards.</summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "iwouldargue-tests", Guid.NewGuid().ToString("N"));

    public TempDatabase() => ConnectionString = $"Data Source={Path.Combine(_folder, "discussions.db")}";

    public string ConnectionString { get; }

    /// <summary>The folder the database file goes in (created by the store when it migrates).</summary>
    public string Folder => _folder;

    public async Task<SqliteDiscussionStore> OpenAsync(int? walRestartFrames = null)
    {
        var store = walRestartFrames is { } frames
            ? new SqliteDiscussionStore(ConnectionString) { WalRestartFrames = frames }
            : new SqliteDiscussionStore(ConnectionString);
        await store.MigrateAsync();
        return store;
    }

    /// <summary>A discussion as stored; live unless said otherwise, since comments are appended only to live ones.</summary>
    public static Discussion NewDiscussion(string id = "d1", string host = "host-1", DiscussionState state = DiscussionState.Live) => new()
    {
        DiscussionId = id,
        Title = "Should cities ban cars?",
        Host = new UserRef { UserId = host, DisplayName = "Hana" },
        State = state,
        InviteCode = "code-" + id,
        MaxDuration = Duration.FromTimeSpan(TimeSpan.FromHours(3)),
    };

    public static DiscussionEvent Comment(string discussionId, string commentId, string text = "hello", string author = "u1") => new()
    {
        DiscussionId = discussionId,
        CommentPosted = new CommentPosted
        {
            Comment = new Comment { CommentId = commentId, Text = text, Author = new UserRef { UserId = author, DisplayName = author } },
        },
    };

    public static DiscussionEvent Joined(string discussionId, string userId, Role role = Role.Attendee) => new()
    {
        DiscussionId = discussionId,
        AttendeeJoined = new AttendeeJoined { User = new UserRef { UserId = userId, DisplayName = userId }, Role = role },
    };

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
