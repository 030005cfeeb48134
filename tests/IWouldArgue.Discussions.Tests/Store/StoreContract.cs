using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Testing;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>
/// What every discussion store does (IDiscussionStore), run on SQLite and on a real PostgreSQL server: dense numbering
/// with several writers on one database, the read tables each event changes, comments and their paging, the outbox,
/// recordings' start claims, purging.
/// </summary>
public abstract class StoreContract
{
    /// <summary>A store on this test's database; each call is another writer on the same one, as another process would be.</summary>
    protected abstract Task<IDiscussionStore> OpenAsync();

    [Fact]
    public async Task TwoWritersOnOneDatabase_8x100_NumberEachDiscussionDensely()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion("d1"));
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion("d2"));

        await Task.WhenAll(new[] { first, second }.SelectMany((store, s) => Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                // Batches that span both discussions, in either order: the writers must not wait on each other in a circle.
                var batch = new[] { TempDatabase.Comment("d1", $"a{s}-{w}-{i}"), TempDatabase.Comment("d2", $"b{s}-{w}-{i}") };
                await store.AppendAsync(w % 2 == 0 ? batch : [.. batch.Reverse()]);
            }
        }))));

        foreach (var id in new[] { "d1", "d2" })
        {
            var log = await first.ListEventsAsync(id, 0, 1000);
            Assert.Equal(Enumerable.Range(1, 800).Select(i => (ulong)i), log.Select(e => e.Seq));
            Assert.Equal(800UL, (await second.GetDiscussionAsync(id))!.LastSeq);
        }
    }

    [Fact]
    public async Task JoinsLeavesAndBans_KeepTheCountsAndTheRoom()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        var joined = await store.AppendAsync([TempDatabase.Joined("d1", "host-1", Role.Host), TempDatabase.Joined("d1", "a"), TempDatabase.Joined("d1", "b")]);
        var left = await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", AttendeeLeft = new AttendeeLeft { User = new UserRef { UserId = "b" }, Reason = LeaveReason.Banned } }]);

        Assert.Equal(new uint[] { 1, 2, 3 }, joined.Select(e => e.AttendeeJoined.AttendeeCount));
        Assert.Equal(2u, left[0].AttendeeLeft.AttendeeCount);
        Assert.True(await store.IsBannedAsync("d1", "b"));
        Assert.Equal(["host-1", "a"], (await store.ListAttendeesAsync("d1", 0, 10)).Select(a => a.User.UserId));
        Assert.Equal(1, await store.CountSpeakersAsync("d1"));
        var (discussion, membership) = await store.GetWithMembershipAsync("d1", "b");
        Assert.Equal(2u, discussion!.AttendeeCount);
        Assert.Equal((false, LeaveReason.Banned), (membership!.Present, membership.LeftReason));
        await store.UnbanAsync("d1", "b");
        Assert.False(await store.IsBannedAsync("d1", "b"));
    }

    [Fact]
    public async Task Comments_PageBothWays_AreFoundByTheirIds_AndADeletedOneLosesItsText()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        var posted = await store.AppendAsync([.. Enumerable.Range(1, 5).Select(i => TempDatabase.Comment("d1", "", $"text {i}"))]);
        var given = await store.AppendAsync([TempDatabase.Comment("d1", "my-own-id", "named")]);

        var oldest = await store.ListCommentsAsync("d1", newestFirst: false, afterSeq: null, limit: 2);
        var newest = await store.ListCommentsAsync("d1", newestFirst: true, afterSeq: null, limit: 2);
        var next = await store.ListCommentsAsync("d1", newestFirst: true, afterSeq: newest[^1].Seq, limit: 10);
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", CommentDeleted = new CommentDeleted { CommentId = posted[1].CommentPosted.Comment.CommentId } }]);

        Assert.Equal(["text 1", "text 2"], oldest.Select(c => c.Text));
        Assert.Equal(["named", "text 5"], newest.Select(c => c.Text));
        Assert.Equal(["text 4", "text 3", "text 2", "text 1"], next.Select(c => c.Text));
        Assert.Equal("named", (await store.GetCommentAsync("d1", "my-own-id"))!.Text);
        Assert.Equal(given[0].Seq, (await store.GetCommentAsync("d1", "my-own-id"))!.Seq);
        var deleted = (await store.GetCommentAsync("d1", posted[1].CommentPosted.Comment.CommentId))!;
        Assert.Equal(("", true), (deleted.Text, deleted.Deleted));
        var live = (await store.GetLiveStateAsync("d1", recentComments: 3))!;
        Assert.Equal(["text 4", "text 5", "named"], live.RecentComments.Select(c => c.Text));
    }

    [Fact]
    public async Task Reactions_FromTwoWriters_CountExactly_OnTheCommentAndTheSpeaker_AndEachEventCarriesItsTotal()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await first.AppendAsync([TempDatabase.Joined("d1", "host-1", Role.Host)]);
        var comment = (await first.AppendAsync([TempDatabase.Comment("d1", "", "react to me")]))[0].CommentPosted.Comment.CommentId;
        static DiscussionEvent Heart(string? commentId, string? speaker) => new()
        {
            DiscussionId = "d1",
            Reacted = new Reacted { By = new UserRef { UserId = "fan" }, Reaction = Reaction.Heart, CommentId = commentId ?? "", SpeakerUserId = speaker ?? "" },
        };

        var stored = (await Task.WhenAll(new[] { first, second }.SelectMany(store => Enumerable.Range(0, 10).Select(i => Task.Run(() =>
            store.AppendAsync([i % 2 == 0 ? Heart(comment, null) : Heart(null, "host-1")]))))))
            .SelectMany(e => e).ToList();
        await second.AppendAsync([new DiscussionEvent { DiscussionId = "d1", Reacted = new Reacted { Reaction = Reaction.Laugh, CommentId = comment } }]);

        // Each event says the total it made: in log order, 1..10 for each target, with no total twice.
        var log = (await first.ListEventsAsync("d1", 0, 100)).Where(e => e.Reacted is not null).ToList();
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (uint)i), log.Where(e => e.Reacted.CommentId.Length > 0 && e.Reacted.Reaction == Reaction.Heart).Select(e => e.Reacted.Count));
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (uint)i), log.Where(e => e.Reacted.SpeakerUserId.Length > 0).Select(e => e.Reacted.Count));
        Assert.Equal(20, stored.Count);
        var counted = (await second.GetCommentAsync("d1", comment))!.Reactions.Select(r => (r.Reaction, r.Count));
        Assert.Equal([(Reaction.Heart, 10u), (Reaction.Laugh, 1u)], counted);
        var live = (await first.GetLiveStateAsync("d1", recentComments: 5))!;
        Assert.Equal([(Reaction.Heart, 10u)], live.Speakers.Single().Reactions.Select(r => (r.Reaction, r.Count)));
        Assert.Equal(11u, live.RecentComments.Single().Reactions.Sum(r => r.Count));
    }

    [Fact]
    public async Task Reminders_ListLiveOnesFirst_ThenTheSoonest_AndDropWhatEndedOrWasTakenBack()
    {
        var store = await OpenAsync();
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, startsIn) in new[] { ("late", 120), ("soon", 30), ("started", 60), ("taken-back", 10), ("ends", 20) })
        {
            var discussion = TempDatabase.NewDiscussion(id, state: DiscussionState.Scheduled);
            discussion.ScheduledStartAt = Timestamp.FromDateTimeOffset(now.AddMinutes(startsIn));
            await store.CreateDiscussionAsync(discussion);
            await store.SetReminderAsync(id, "fan", remind: true);
        }
        await store.SetReminderAsync("soon", "fan", remind: true);
        await store.SetReminderAsync("soon", "someone-else", remind: true);
        await store.SetReminderAsync("taken-back", "fan", remind: false);
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "started", DiscussionStarted = new DiscussionStarted() }]);
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "ends", DiscussionStarted = new DiscussionStarted() }]);
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "ends", DiscussionEnded = new DiscussionEnded() }]);

        var reminders = await store.ListDiscussionsAsync(new DiscussionQuery(DiscussionFilter.Reminders, "fan", DateTimeOffset.MinValue, 0, 10));
        var secondPage = await store.ListDiscussionsAsync(new DiscussionQuery(DiscussionFilter.Reminders, "fan", DateTimeOffset.MinValue, 1, 1));
        var others = await store.ListDiscussionsAsync(new DiscussionQuery(DiscussionFilter.Reminders, "someone-else", DateTimeOffset.MinValue, 0, 10));

        Assert.Equal(["started", "soon", "late"], reminders.Select(d => d.DiscussionId));
        Assert.Equal(DiscussionState.Live, reminders[0].State);
        Assert.Equal(["soon"], secondPage.Select(d => d.DiscussionId));
        Assert.Equal(["soon"], others.Select(d => d.DiscussionId));
        await store.PurgeAsync("soon");
        Assert.Empty(await store.ListDiscussionsAsync(new DiscussionQuery(DiscussionFilter.Reminders, "someone-else", DateTimeOffset.MinValue, 0, 10)));
    }

    [Fact]
    public async Task TheOutbox_ListsWhatWasNotPublished_UntilMarked()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        var stored = await store.AppendAsync([.. Enumerable.Range(1, 5).Select(i => TempDatabase.Comment("d1", $"c{i}"))]);

        var unpublished = await store.ListUnpublishedAsync(10);
        await store.MarkPublishedAsync(stored.Take(3));
        var rest = await store.ListUnpublishedAsync(10);

        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5 }, unpublished.Select(e => e.Seq));
        Assert.Equal(new ulong[] { 4, 5 }, rest.Select(e => e.Seq));
    }

    [Fact]
    public async Task Lifecycle_Recordings_Files_AndPurge()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion(state: DiscussionState.Scheduled));
        var now = DateTimeOffset.UtcNow;
        await store.AppendAsync([new DiscussionEvent { DiscussionId = "d1", DiscussionStarted = new DiscussionStarted() }]);
        await store.WantRecordingAsync("d1");
        var claimed = await store.TryClaimRecordingStartAsync("d1", now, now.AddMinutes(-1));
        var claimedAgain = await store.TryClaimRecordingStartAsync("d1", now, now.AddMinutes(-1));
        await store.SaveRecordingAsync(new Recording { DiscussionId = "d1", RecordingId = "r1" }, "s3://bucket/r1.ogg");
        await store.AppendAsync([new DiscussionEvent
        {
            DiscussionId = "d1",
            AttachmentAdded = new AttachmentAdded { Attachment = new Attachment { AttachmentId = "f1", FileName = "a.png", SizeBytes = 10, Sha256 = "abc" } },
        }]);

        Assert.True(claimed);
        Assert.False(claimedAgain);
        Assert.Equal((true, "r1", "s3://bucket/r1.ogg"), await RecordingOf(store));
        Assert.Equal(10, await store.AttachmentBytesAsync("d1"));
        Assert.True(await store.IsContentSharedAsync("abc"));
        Assert.Equal(["d1"], await store.ListOverdueAsync(now.AddHours(3).AddMinutes(1)));
        Assert.Equal(["d1"], (await store.ListDiscussionsAsync(new DiscussionQuery(DiscussionFilter.Live, "x", DateTimeOffset.MinValue, 0, 10))).Select(d => d.DiscussionId));

        Assert.Equal(["abc"], await store.PurgeAsync("d1"));
        Assert.Null(await store.GetDiscussionAsync("d1"));
        Assert.Empty(await store.ListEventsAsync("d1", 0, 10));
        Assert.False(await store.IsContentSharedAsync("abc"));
    }

    private static async Task<(bool, string?, string?)> RecordingOf(IDiscussionStore store)
    {
        var (wanted, recording, file) = await store.GetRecordingAsync("d1");
        return (wanted, recording?.RecordingId, file);
    }
}

/// <summary>The store contract on SQLite, the embedded default.</summary>
public sealed class SqliteStoreTests : StoreContract, IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override async Task<IDiscussionStore> OpenAsync() => await _db.OpenAsync();
}

/// <summary>The store contract on a real PostgreSQL server.</summary>
[Collection(OnPostgres.Name)]
public sealed class PostgresStoreTests(PostgresFixture postgres) : StoreContract
{
    private readonly Lazy<Task<string>> _database = new(postgres.Server.CreateDatabaseAsync);

    protected override async Task<IDiscussionStore> OpenAsync()
    {
        var store = new PostgresDiscussionStore(await _database.Value);
        await store.MigrateAsync();
        return store;
    }
}
