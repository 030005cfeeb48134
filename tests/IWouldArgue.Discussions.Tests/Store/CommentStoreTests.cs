using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Google.Protobuf;
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
    public async Task CommentsStoredBySchema7_AreKeptBySchema8_AndFoundByTheirIds_OldFormsToo()
    {
        using var db = new TempDatabase();
        await SqliteMigrations.ApplyUpToAsync(db.ConnectionString, 7, CancellationToken.None);
        // As the schema-7 writer left them: each comment as a row of its own and in the event that posted it.
        var oldOne = PostedEvent(1, "Zq3xk0Lr9hQm2VbYc8TnWA", "old one");
        var oldTwo = PostedEvent(2, "AaBbCcDdEeFfGgHhIiJjKk", "old two");
        var seqForm = PostedEvent(3, CommentIds.New(3), "seq form");
        using (var connection = new SqliteConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO discussions (discussion_id, host_id, host_name, title, description, state, invite_code, guests_may_comment, max_duration_ms, created_at, last_seq)
                VALUES ('d1', 'h', 'H', 'T', '', 2, 'code', 0, 10800000, 0, 4);
                """;
            await command.ExecuteNonQueryAsync();
            foreach (var e in new[] { oldOne, oldTwo, seqForm })
            {
                var c = e.CommentPosted.Comment;
                command.CommandText = """
                    INSERT INTO comments (discussion_id, seq, comment_id, author_id, author_name, author_guest, text, reply_to, posted_at)
                    VALUES ('d1', $seq, $comment, 'u1', 'U', 0, $text, '', 0);
                    INSERT INTO events (discussion_id, seq, occurred_at, payload, published) VALUES ('d1', $seq, 0, $payload, 1);
                    """;
                command.Parameters.Clear();
                command.Parameters.AddWithValue("$seq", (long)e.Seq);
                command.Parameters.AddWithValue("$comment", c.CommentId);
                command.Parameters.AddWithValue("$text", c.Text);
                command.Parameters.AddWithValue("$payload", e.ToByteArray());
                await command.ExecuteNonQueryAsync();
            }
            command.CommandText = "INSERT INTO events (discussion_id, seq, occurred_at, payload, published) VALUES ('d1', 4, 0, $payload, 1)";
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$payload", TempDatabase.Joined("d1", "u2").ToByteArray());
            await command.ExecuteNonQueryAsync();
        }

        var store = await db.OpenAsync();
        var byOldId = await store.GetCommentAsync("d1", "AaBbCcDdEeFfGgHhIiJjKk");
        var bySeqFormId = await store.GetCommentAsync("d1", seqForm.CommentPosted.Comment.CommentId);
        var newestFirst = await store.ListCommentsAsync("d1", newestFirst: true, afterSeq: null, limit: 10);
        var lastSeq = (await store.GetDiscussionAsync("d1"))!.LastSeq;
        var next = (await store.AppendAsync([TempDatabase.Comment("d1", commentId: "", text: "new")]))[0].CommentPosted.Comment;
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", CommentDeleted = new CommentDeleted { CommentId = "Zq3xk0Lr9hQm2VbYc8TnWA" } }]);

        Assert.Equal("old two", byOldId!.Text);
        Assert.Equal("seq form", bySeqFormId!.Text);
        Assert.Equal(["seq form", "old two", "old one"], newestFirst.Select(c => c.Text));
        Assert.Equal(4UL, lastSeq);
        Assert.Equal(5UL, next.Seq);
        Assert.Equal("new", (await store.GetCommentAsync("d1", next.CommentId))!.Text);
        var deleted = (await store.GetCommentAsync("d1", "Zq3xk0Lr9hQm2VbYc8TnWA"))!;
        Assert.True(deleted.Deleted);
        Assert.Equal("", deleted.Text);
        Assert.Equal("", (await store.ListEventsAsync("d1", 0, 1))[0].CommentPosted.Comment.Text);
    }

    [Fact]
    public async Task ACommentWithAGivenId_IsFoundByIt_AndAnIdOfTheSeqFormNamingAnotherSeq_IsNotTakenAtItsWord()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        var misleading = CommentIds.New(1); // seq form, but the comment is stored at seq 2

        await store.AppendAsync([TempDatabase.Comment("d1", commentId: "given-by-importer", text: "imported")]);
        await store.AppendAsync([TempDatabase.Comment("d1", commentId: misleading, text: "misleading")]);

        Assert.Equal("imported", (await store.GetCommentAsync("d1", "given-by-importer"))!.Text);
        Assert.Equal("misleading", (await store.GetCommentAsync("d1", misleading))!.Text);
        Assert.Equal(2UL, (await store.GetCommentAsync("d1", misleading))!.Seq);
        Assert.Null(await store.GetCommentAsync("d1", "never-posted"));
    }

    private static DiscussionEvent PostedEvent(ulong seq, string commentId, string text)
    {
        var e = TempDatabase.Comment("d1", commentId, text);
        e.Seq = seq;
        e.CommentPosted.Comment.Seq = seq;
        e.OccurredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch);
        return e;
    }
}
