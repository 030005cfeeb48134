using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Microsoft.Data.Sqlite;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>Comments stored by sequence number, found by id.</summary>
public class CommentStoreTests
{
    [Fact]
    public async Task ACommentWithoutId_GetsOneCarryingItsSeq_AndIsFoundAndDeletedByIt()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "u1")]);

        var posted = (await store.AppendAsync([TempDatabase.Comment("d1", commentId: "", text: "first"), TempDatabase.Comment("d1", commentId: "", text: "second")]))
            .Select(e => e.CommentPosted.Comment).ToList();
        var found = await store.GetCommentAsync("d1", posted[1].CommentId);
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", CommentDeleted = new CommentDeleted { CommentId = posted[0].CommentId } }]);

        Assert.True(CommentIds.TrySeqOf(posted[1].CommentId, out var seq));
        Assert.Equal(3UL, seq);
        Assert.Equal("second", found!.Text);
        Assert.Equal(posted[1].CommentId, (await store.ListEventsAsync("d1", 2, 1))[0].CommentPosted.Comment.CommentId);
        Assert.True((await store.GetCommentAsync("d1", posted[0].CommentId))!.Deleted);
        Assert.Equal("", (await store.ListEventsAsync("d1", 1, 1))[0].CommentPosted.Comment.Text);
        Assert.Null(await store.GetCommentAsync("d1", CommentIds.New(2)));
        Assert.Null(await store.GetCommentAsync("d2", posted[1].CommentId));
    }

    [Fact]
    public async Task CommentsStoredBeforeSchema7_AreKept_AndFoundByTheirOldIds()
    {
        using var db = new TempDatabase();
        await SqliteMigrations.ApplyUpToAsync(db.ConnectionString, 6, CancellationToken.None);
        using (var connection = new SqliteConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO discussions (discussion_id, host_id, host_name, title, description, state, invite_code, guests_may_comment, max_duration_ms, created_at, last_seq)
                VALUES ('d1', 'h', 'H', 'T', '', 2, 'code', 0, 10800000, 0, 2);
                INSERT INTO comments (discussion_id, comment_id, seq, author_id, author_name, author_guest, text, reply_to, posted_at)
                VALUES ('d1', 'Zq3xk0Lr9hQm2VbYc8TnWA', 1, 'u1', 'U', 0, 'old one', '', 0),
                       ('d1', 'AaBbCcDdEeFfGgHhIiJjKk', 2, 'u1', 'U', 0, 'old two', '', 0);
                """;
            await command.ExecuteNonQueryAsync();
        }

        var store = await db.OpenAsync();
        var byOldId = await store.GetCommentAsync("d1", "AaBbCcDdEeFfGgHhIiJjKk");
        var newestFirst = await store.ListCommentsAsync("d1", newestFirst: true, afterSeq: null, limit: 10);
        var next = (await store.AppendAsync([TempDatabase.Comment("d1", commentId: "", text: "new")]))[0].CommentPosted.Comment;

        Assert.Equal("old two", byOldId!.Text);
        Assert.Equal(["old two", "old one"], newestFirst.Select(c => c.Text));
        Assert.Equal(3UL, next.Seq);
        Assert.Equal("new", (await store.GetCommentAsync("d1", next.CommentId))!.Text);
    }
}
