using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.Data.Sqlite;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace IWouldArgue.Live.Tests;

/// <summary>Reconnects, lossy pub/sub and slow readers: nothing lost, nothing twice, nobody held up.</summary>
public class ResilienceTests
{
    [Fact]
    public async Task Resume_AfterADisconnect_DeliversExactlyTheMissedEvents_ThenLiveOnes()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 1);
        var first = WatchSession.OverGrpc(host, room.Id, "user-0");
        await first.WaitUntilAsync(w => w.Frames.Count > 0);
        await room.PostAsync(20);
        await first.WaitForSeqAsync(await room.LastSeqAsync());
        var seen = first.LastSeq;
        await first.DisconnectAsync();

        var missed = await room.PostAsync(100, "while away");
        await using var resumed = WatchSession.OverGrpcWeb(host, room.Id, "user-0", resumeAfter: seen);
        await resumed.WaitForSeqAsync(missed[^1]);
        var live = await room.PostAsync(5, "after");
        await resumed.WaitForSeqAsync(live[^1]);

        Assert.DoesNotContain(resumed.Frames, f => f.Snapshot is not null);
        Assert.Equal(missed.Concat(live), resumed.Seqs);
    }

    [Fact]
    public async Task Resume_FromBeforeTheKeptLog_AnswersWithAFreshSnapshotFlaggedAsSuch()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db);
        var room = await Room.OpenAsync(host, attendees: 1);
        await room.PostAsync(10);
        // The oldest events are purged (as the retention job will do).
        await using (var connection = new SqliteConnection(db.ConnectionString))
        {
            await connection.OpenAsync();
            await using var purge = connection.CreateCommand();
            purge.CommandText = "DELETE FROM events WHERE seq <= 5";
            await purge.ExecuteNonQueryAsync();
        }

        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0", resumeAfter: 2);
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);

        var snapshot = watcher.Frames[0].Snapshot;
        Assert.NotNull(snapshot);
        Assert.True(snapshot.ResumeExpired);
        Assert.Equal(await room.LastSeqAsync(), snapshot.Seq);
    }

    [Fact]
    public async Task GapRepair_PubSubDroppingEveryTenthPublish_WatchersStillSeeEveryEventInOrder()
    {
        using var db = new TestDatabase();
        var lossy = new LossyPubSub(new InProcessPubSub(NullLogger<InProcessPubSub>.Instance), dropEvery: 10);
        await using var host = await LiveTestHost.StartAsync(db, pubSub: lossy);
        var room = await Room.OpenAsync(host, attendees: 3);
        var watchers = Enumerable.Range(0, 3).Select(i => WatchSession.OverGrpc(host, room.Id, $"user-{i}")).ToList();
        await Task.WhenAll(watchers.Select(w => w.WaitUntilAsync(s => s.Frames.Count > 0)));
        var start = watchers.Select(w => w.LastSeq).ToList();

        await Room.WaitForRoutesAsync();
        var posted = await room.PostAsync(200);
        await Task.WhenAll(watchers.Select(w => w.WaitForSeqAsync(posted[^1])));

        Assert.True(lossy.Dropped >= 19, $"only {lossy.Dropped} publishes were dropped");
        for (var i = 0; i < watchers.Count; i++)
        {
            Assert.Equal(Enumerable.Range(1, (int)(posted[^1] - start[i])).Select(n => start[i] + (ulong)n), watchers[i].Seqs);
            await watchers[i].DisposeAsync();
        }
    }

    [Fact]
    public async Task GapRepair_LostLastEvent_IsFoundByTheTailCheck()
    {
        using var db = new TestDatabase();
        var lossy = new LossyPubSub(new InProcessPubSub(NullLogger<InProcessPubSub>.Instance), dropEvery: 1);
        await using var host = await LiveTestHost.StartAsync(db, pubSub: lossy);
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);

        // Every publish is lost: no later event reveals the hole, only the log does.
        var posted = await room.PostAsync(3);
        await watcher.WaitForSeqAsync(posted[^1]);

        Assert.Equal(posted, watcher.Seqs);
    }

    [Fact]
    public async Task SlowWatcher_DoesNotHoldUpOthers_AndIsDroppedWithAResyncMarker_ThenResumesWithoutLoss()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?>
        {
            ["Live:WatcherQueueFrames"] = "4",
            ["Live:SlowWatcherGrace"] = "00:01:00",
            ["Live:BatchWindow"] = "00:00:00.005",
        });
        var room = await Room.OpenAsync(host, attendees: 3);
        await using var slow = WatchSession.OverGrpc(host, room.Id, "user-0", startPaused: true);
        var others = new[] { WatchSession.OverGrpc(host, room.Id, "user-1"), WatchSession.OverGrpcWeb(host, room.Id, "user-2") };
        await Task.WhenAll(others.Append(slow).Select(w => w.WaitUntilAsync(s => s.Frames.Count > 0)));

        // Large comments fill the HTTP/2 flow-control window of the reader that stopped reading.
        var text = new string('x', 1900);
        var posted = await room.PostAsync(1500, text);
        await Task.WhenAll(others.Select(w => w.WaitForSeqAsync(posted[^1])));

        // The others have everything while the slow one still has not read a single event.
        Assert.Empty(slow.Seqs);
        slow.Resume();
        await slow.WaitForEndAsync();
        var resync = slow.Frames[^1].Resync;
        Assert.NotNull(resync);
        Assert.Equal(slow.Seqs[^1], resync.LastDeliveredSeq);
        Assert.True(slow.Seqs.Count < posted.Count);
        Assert.Equal(StatusCode.OK, slow.FinalStatus);

        await using var resumed = WatchSession.OverGrpc(host, room.Id, "user-0", resumeAfter: resync.LastDeliveredSeq);
        await resumed.WaitForSeqAsync(posted[^1]);
        Assert.Equal(posted, slow.Seqs.Concat(resumed.Seqs));
        foreach (var other in others)
        {
            Assert.Equal(posted, other.Seqs);
            await other.DisposeAsync();
        }
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task AWatcherThatStopsReading_IsEndedWithUnavailable_WhichTheErrorModelSaysToResumeOn()
    {
        using var db = new TestDatabase();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?>
        {
            ["Live:WatcherQueueFrames"] = "4",
            ["Live:SlowWatcherGrace"] = "00:00:01",
            ["Live:BatchWindow"] = "00:00:00.005",
        });
        var room = await Room.OpenAsync(host, attendees: 1);
        // @grpc/grpc-js, not our client: it stops reading after the first frame, for longer than the grace.
        using var stalled = NodeProcess.StartScript("grpcjs/stalled-watch.mjs", $"127.0.0.1:{host.GrpcAddress.Port}", "user-0", room.Id, "6000");
        await stalled.WaitForLineAsync("{\"paused\"", TimeSpan.FromSeconds(30));

        // Large comments fill its HTTP/2 flow-control window; the watcher falls behind, and its resync marker cannot be written.
        await room.PostAsync(1500, new string('x', 1900));
        var end = System.Text.Json.JsonDocument.Parse(await stalled.WaitForLineAsync("{\"frames\"", TimeSpan.FromSeconds(60))).RootElement;

        // Reset with REFUSED_STREAM, which gRPC clients report as UNAVAILABLE (not INTERNAL, "a bug on our side").
        Assert.Equal((int)StatusCode.Unavailable, end.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task GapRepair_WhenTheLogIsBrieflyUnreadable_RetriesWithoutEndingStreams()
    {
        using var db = new TestDatabase();
        var lossy = new LossyPubSub(new InProcessPubSub(NullLogger<InProcessPubSub>.Instance), dropEvery: 5);
        await using var host = await LiveTestHost.StartAsync(db, pubSub: lossy, services: s => s.AddSingleton<IDiscussionFeed>(sp =>
            new FlakyFeed(new StoreDiscussionFeed(sp.GetRequiredService<IDiscussionStore>(), sp.GetRequiredService<RaisedHands>(), sp.GetRequiredService<PinnedComments>()))));
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        await Room.WaitForRoutesAsync();
        var feed = (FlakyFeed)host.Services.GetRequiredService<IDiscussionFeed>();
        feed.FailNextReads = 3;

        var posted = await room.PostAsync(30);
        await watcher.WaitForSeqAsync(posted[^1]);

        Assert.True(feed.FailNextReads <= 0, "the failing reads were never attempted");
        Assert.Equal(posted, watcher.Seqs);
        Assert.DoesNotContain(watcher.Frames, f => f.Resync is not null);
        Assert.Null(watcher.FinalStatus);
    }

    /// <summary>The store's feed, failing the next few event-log reads as a briefly unavailable database would.</summary>
    private sealed class FlakyFeed(IDiscussionFeed inner) : IDiscussionFeed
    {
        private int _failNextReads;

        public int FailNextReads
        {
            get => Volatile.Read(ref _failNextReads);
            set => Volatile.Write(ref _failNextReads, value);
        }

        public Task<WatchAccess?> GetAccessAsync(string discussionId, string userId, CancellationToken cancellationToken = default) =>
            inner.GetAccessAsync(discussionId, userId, cancellationToken);

        public Task<Snapshot> GetSnapshotAsync(string discussionId, Role viewerRole, int recentComments, CancellationToken cancellationToken = default) =>
            inner.GetSnapshotAsync(discussionId, viewerRole, recentComments, cancellationToken);

        public Task<IReadOnlyList<DiscussionEvent>> GetEventsAsync(string discussionId, ulong afterSeq, int limit, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failNextReads) >= 0
                ? throw new InvalidOperationException("database is locked")
                : inner.GetEventsAsync(discussionId, afterSeq, limit, cancellationToken);
    }

    /// <summary>A pub/sub that silently loses every n-th publish, as Redis pub/sub may on a reconnect.</summary>
    private sealed class LossyPubSub(IPubSub inner, int dropEvery) : IPubSub
    {
        private int _published;
        private int _dropped;

        public int Dropped => _dropped;

        public Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _published) % dropEvery == 0)
            {
                Interlocked.Increment(ref _dropped);
                return Task.CompletedTask;
            }
            return inner.PublishAsync(topic, message, cancellationToken);
        }

        public IDisposable Subscribe(string topic, PubSubHandler handler) => inner.Subscribe(topic, handler);
    }
}
