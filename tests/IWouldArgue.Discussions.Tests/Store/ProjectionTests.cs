using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Discussions.Tests.Store;

public class ProjectionTests
{
    [Fact]
    public async Task DeletedComment_TextIsGoneFromTheRowAndFromTheLog_TombstoneRemains()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Comment("d1", "c1", "something regrettable")]);

        await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", CommentDeleted = new CommentDeleted { CommentId = "c1" } }]);

        var comment = (await store.GetCommentAsync("d1", "c1"))!;
        Assert.True(comment.Deleted);
        Assert.Equal("", comment.Text);
        var log = await store.ListEventsAsync("d1", 0, 10);
        Assert.Equal(2, log.Count);
        Assert.Equal("", log[0].CommentPosted.Comment.Text);
        Assert.Equal("c1", log[1].CommentDeleted.CommentId);
    }

    [Fact]
    public async Task JoinAndLeave_CarryTheExactAttendeeCount_AndBanIsRecorded()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        var joined = await store.AppendAsync([TempDatabase.Joined("d1", "a"), TempDatabase.Joined("d1", "b"), TempDatabase.Joined("d1", "a")]);
        var left = await store.AppendAsync([new DiscussionEvent
        {
            DiscussionId = "d1",
            AttendeeLeft = new AttendeeLeft { User = new UserRef { UserId = "b" }, Reason = LeaveReason.Banned },
        }]);

        Assert.Equal(new uint[] { 1, 2, 2 }, joined.Select(e => e.AttendeeJoined.AttendeeCount));
        Assert.Equal(1u, left[0].AttendeeLeft.AttendeeCount);
        Assert.True(await store.IsBannedAsync("d1", "b"));
        Assert.Equal(1u, (await store.GetDiscussionAsync("d1"))!.AttendeeCount);
    }

    [Fact]
    public async Task StartedDiscussion_IsOverdueOnlyAfterItsMaximumDuration()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion(state: DiscussionState.Scheduled));

        await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", DiscussionStarted = new DiscussionStarted() }]);

        Assert.Empty(await store.ListOverdueAsync(DateTimeOffset.UtcNow.AddHours(2)));
        Assert.Equal(["d1"], await store.ListOverdueAsync(DateTimeOffset.UtcNow.AddHours(3).AddMinutes(1)));
    }

    [Fact]
    public async Task Comments_SurviveReopeningTheFile_InBothOrders()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([.. Enumerable.Range(1, 5).Select(i => TempDatabase.Comment("d1", $"c{i}", $"text {i}"))]);

        var reopened = await db.OpenAsync();
        var oldest = await reopened.ListCommentsAsync("d1", newestFirst: false, afterSeq: null, limit: 3);
        var newest = await reopened.ListCommentsAsync("d1", newestFirst: true, afterSeq: null, limit: 2);
        var next = await reopened.ListCommentsAsync("d1", newestFirst: true, afterSeq: newest[^1].Seq, limit: 10);

        Assert.Equal(["text 1", "text 2", "text 3"], oldest.Select(c => c.Text));
        Assert.Equal(["text 5", "text 4"], newest.Select(c => c.Text));
        Assert.Equal(["text 3", "text 2", "text 1"], next.Select(c => c.Text));
    }

    [Fact]
    public async Task Migrations_RunTwice_ChangeNothing_AndANewerSchemaIsRefused()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        await (await db.OpenAsync()).MigrateAsync();
        Assert.NotNull(await store.GetDiscussionAsync("d1"));

        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA user_version = 99;";
            await command.ExecuteNonQueryAsync();
        }
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => db.OpenAsync());
        Assert.Contains("99", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disconnect_CountsOutButKeepsMembership_AndNeitherItNorAReconnectOverridesARemoval()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "a", Role.Participant), TempDatabase.Joined("d1", "b")]);

        var gone = await store.AppendAsync([Left("a", LeaveReason.Disconnected)]);
        var dropped = (await store.GetAttendeeAsync("d1", "a"))!;
        Assert.Equal(1u, gone[0].AttendeeLeft.AttendeeCount);
        Assert.True(dropped is { Present: false, IsMember: true, LeftReason: LeaveReason.Disconnected });

        var back = await store.AppendAsync([Reconnected("a")]);
        Assert.Equal(2u, back[0].AttendeeJoined.AttendeeCount);
        Assert.True((await store.GetAttendeeAsync("d1", "a"))! is { Present: true, Attendee.Role: Role.Participant });

        // A removal that lands first wins over a late disconnect and a late reconnect.
        await store.AppendAsync([Left("b", LeaveReason.Removed), Left("b", LeaveReason.Disconnected), Reconnected("b")]);
        var removed = (await store.GetAttendeeAsync("d1", "b"))!;
        Assert.True(removed is { Present: false, IsMember: false, LeftReason: LeaveReason.Removed });
    }

    [Fact]
    public async Task MarkPublished_MarksExactlyTheGivenEvents_EvenWithGapsAndAcrossDiscussions()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d1"));
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d2"));
        var one = await store.AppendAsync([.. Enumerable.Range(0, 6).Select(i => TempDatabase.Comment("d1", $"a{i}"))]);
        var two = await store.AppendAsync([.. Enumerable.Range(0, 3).Select(i => TempDatabase.Comment("d2", $"b{i}"))]);

        await store.MarkPublishedAsync([one[4], one[0], one[1], one[3], two[1]]);

        var left = (await store.ListUnpublishedAsync(20)).Select(e => $"{e.DiscussionId}:{e.Seq}").Order();
        Assert.Equal(["d1:3", "d1:6", "d2:1", "d2:3"], left);
    }

    [Fact]
    public async Task LiveState_HasTheSpeakersPresentAndTheLatestCommentsOldestFirst_AtTheLastSeq()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([
            TempDatabase.Joined("d1", "host-1", Role.Host), TempDatabase.Joined("d1", "p", Role.Participant),
            TempDatabase.Joined("d1", "a"), TempDatabase.Joined("d1", "gone", Role.Participant), Left("gone", LeaveReason.Left),
            .. Enumerable.Range(0, 5).Select(i => TempDatabase.Comment("d1", $"c{i}", $"comment {i}"))]);

        var state = (await store.GetLiveStateAsync("d1", 3))!;

        Assert.Equal(10UL, state.Discussion.LastSeq);
        Assert.Equal(["host-1", "p"], state.Speakers.Select(s => s.User.UserId));
        Assert.Equal(["comment 2", "comment 3", "comment 4"], state.RecentComments.Select(c => c.Text));
        Assert.Null(await store.GetLiveStateAsync("nope", 3));
    }

    private static DiscussionEvent Left(string userId, LeaveReason reason) =>
        new() { DiscussionId = "d1", AttendeeLeft = new AttendeeLeft { User = new UserRef { UserId = userId }, Reason = reason } };

    private static DiscussionEvent Reconnected(string userId) =>
        new() { DiscussionId = "d1", AttendeeJoined = new AttendeeJoined { User = new UserRef { UserId = userId }, Reconnected = true } };
}
