using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace IWouldArgue.Discussions.Tests.Store;

public class EventLogTests
{
    [Fact]
    public async Task ConcurrentWriters_8x500_GetSequence1To4000_WithoutGapOrDuplicate()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await using var log = await RunningLog.StartAsync(store, new InProcessPubSub(NullLogger<InProcessPubSub>.Instance));

        var seqs = await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            var mine = new List<ulong>();
            for (var i = 0; i < 500; i++)
            {
                mine.Add((await log.Appender.AppendAsync(TempDatabase.Comment("d1", $"c{writer}-{i}"))).Seq);
            }
            return mine;
        })));

        var all = seqs.SelectMany(s => s).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 4000).Select(i => (ulong)i), all);
        var stored = await store.ListEventsAsync("d1", 0, 5000);
        Assert.Equal(Enumerable.Range(1, 4000).Select(i => (ulong)i), stored.Select(e => e.Seq));
        Assert.Equal(4000UL, (await store.GetDiscussionAsync("d1"))!.LastSeq);
    }

    [Fact]
    public async Task TwoStoresOnOneFile_LikeTwoProcesses_StillNumberDensely()
    {
        using var db = new TempDatabase();
        var first = await db.OpenAsync();
        var second = await db.OpenAsync();
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        await Task.WhenAll(new[] { first, second }.SelectMany((store, s) => Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await store.AppendAsync([TempDatabase.Comment("d1", $"s{s}-w{w}-{i}")]);
            }
        }))));

        var stored = await first.ListEventsAsync("d1", 0, 1000);
        Assert.Equal(Enumerable.Range(1, 800).Select(i => (ulong)i), stored.Select(e => e.Seq));
    }

    [Fact]
    public async Task TwoStoresOnOneFile_TakingTurns_EachSeesTheOthersNumbers()
    {
        using var db = new TempDatabase();
        var first = await db.OpenAsync();
        var second = await db.OpenAsync();
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        var seqs = new List<ulong>();
        foreach (var store in new[] { first, second, first, first, second, first })
        {
            seqs.Add((await store.AppendAsync([TempDatabase.Comment("d1", $"c{seqs.Count}")]))[0].Seq);
        }

        Assert.Equal(Enumerable.Range(1, 6).Select(i => (ulong)i), seqs);
    }

    [Fact]
    public async Task PublishFailure_EventStaysInTheOutbox_AndIsPublishedAfterRestartWithItsNumber()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await using (var broken = await RunningLog.StartAsync(store, new BrokenPubSub()))
        {
            await broken.Appender.AppendAsync(TempDatabase.Comment("d1", "c1", "first"));
            await broken.Appender.AppendAsync(TempDatabase.Comment("d1", "c2", "second"));
            await Task.Delay(200);
        }
        Assert.Equal(2, (await store.ListUnpublishedAsync(10)).Count);

        // A new process: same file, a broker that works.
        var restarted = await db.OpenAsync();
        var received = new List<(string Id, ulong Seq)>();
        var both = new TaskCompletionSource();
        var pubSub = new InProcessPubSub(NullLogger<InProcessPubSub>.Instance);
        using var _ = pubSub.Subscribe(LiveRoutes.TopicOf(RunningLog.LiveInstance), (m, _) =>
        {
            var e = DiscussionEvent.Parser.ParseFrom(m.Data.Span);
            lock (received)
            {
                received.Add((m.Id, e.Seq));
                if (received.Count == 2)
                {
                    both.TrySetResult();
                }
            }
            return Task.FromResult(DeliveryResult.Success);
        });
        await using (await RunningLog.StartAsync(restarted, pubSub))
        {
            await both.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Task.Delay(200);
        }

        Assert.Equal(new[] { ("d1:1", 1UL), ("d1:2", 2UL) }, received.Order());
        Assert.Empty(await restarted.ListUnpublishedAsync(10));
    }

    [Fact]
    public async Task BadAppend_InABatch_FailsAlone()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await using var log = await RunningLog.StartAsync(store, new InProcessPubSub(NullLogger<InProcessPubSub>.Instance));

        var good = Enumerable.Range(0, 20).Select(i => log.Appender.AppendAsync(TempDatabase.Comment("d1", $"c{i}"))).ToList();
        var bad = log.Appender.AppendAsync(TempDatabase.Comment("no-such-discussion", "x"));

        await Task.WhenAll(good);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal(20UL, (await store.GetDiscussionAsync("d1"))!.LastSeq);
    }

    [Fact]
    public async Task ABrokerSlowForOneDiscussion_DoesNotHoldUpAnothersEvents_AndEachStaysInOrder()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d1"));
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d2"));
        var broker = new RecordingPubSub { HeldDiscussion = "d1" };
        await using var log = await RunningLog.StartAsync(store, broker, "d1", "d2");

        // One commit, so the publisher gets d1's events and d2's in one batch, d1's first.
        await log.Appender.AppendAsync([TempDatabase.Comment("d1", "a1"), TempDatabase.Comment("d1", "a2"),
            TempDatabase.Comment("d2", "b1"), TempDatabase.Comment("d2", "b2"), TempDatabase.Comment("d2", "b3")]);

        // d1's first publish hangs at the broker; d2's all go out meanwhile.
        await broker.WaitForAsync(ids => ids.Count(id => id.StartsWith("d2:", StringComparison.Ordinal)) == 3);
        Assert.Equal(["d1:1"], broker.Taken.Where(id => id.StartsWith("d1:", StringComparison.Ordinal)));

        broker.Release();
        await broker.WaitForAsync(ids => ids.Count == 5);
        Assert.Equal(["d1:1", "d1:2"], broker.Taken.Where(id => id.StartsWith("d1:", StringComparison.Ordinal)));
        Assert.Equal(["d2:1", "d2:2", "d2:3"], broker.Taken.Where(id => id.StartsWith("d2:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ABrokerRefusingOneDiscussion_StillTakesTheOthers_AndTheRefusedStayInTheOutbox()
    {
        using var db = new TempDatabase();
        var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d1"));
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion("d2"));
        var broker = new RecordingPubSub { RefusedDiscussion = "d1" };
        await using (var log = await RunningLog.StartAsync(store, broker, "d1", "d2"))
        {
            await log.Appender.AppendAsync([TempDatabase.Comment("d1", "a1"), TempDatabase.Comment("d1", "a2"),
                TempDatabase.Comment("d2", "b1"), TempDatabase.Comment("d2", "b2")]);
            await broker.WaitForAsync(ids => ids.Count == 2);
        }

        Assert.Equal(["d2:1", "d2:2"], broker.Taken);
        // d1 stopped at its first refusal: both its events wait for the sweep, with their numbers.
        Assert.Equal([("d1", 1UL), ("d1", 2UL)], (await store.ListUnpublishedAsync(10)).Select(e => (e.DiscussionId, e.Seq)).Order());
    }

    /// <summary>
    /// A broker that records what it took, in the order publishes first reached it (publishing is at least once: the
    /// start-up sweep and the fresh path may both send an event committed as the publisher starts); it can hold one
    /// discussion's publishes until released, and refuse another's.
    /// </summary>
    private sealed class RecordingPubSub : IPubSub
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _published = [];

        public string? HeldDiscussion { get; init; }

        public string? RefusedDiscussion { get; init; }

        /// <summary>Every message id taken, once each, in the order each first arrived.</summary>
        public List<string> Taken
        {
            get
            {
                lock (_published)
                {
                    return [.. _published.Distinct()];
                }
            }
        }

        public void Release() => _released.TrySetResult();

        public async Task WaitForAsync(Func<List<string>, bool> condition)
        {
            for (var waited = 0; !condition(Taken); waited += 20)
            {
                Assert.True(waited < 10_000, $"taken so far: {string.Join(", ", Taken)}");
                await Task.Delay(20);
            }
        }

        public async Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
        {
            var discussion = message.Id.Split(':')[0];
            if (discussion == RefusedDiscussion)
            {
                throw new PubSubException("refused");
            }
            lock (_published)
            {
                _published.Add(message.Id);
            }
            if (discussion == HeldDiscussion)
            {
                // Taken, but the acknowledgement does not come until released.
                await _released.Task.WaitAsync(cancellationToken);
            }
        }

        public IDisposable Subscribe(string topic, PubSubHandler handler) => throw new NotSupportedException();
    }

    private sealed class BrokenPubSub : IPubSub
    {
        public Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default) =>
            throw new PubSubException("broker down");

        public IDisposable Subscribe(string topic, PubSubHandler handler) => throw new NotSupportedException();
    }

    /// <summary>The appender and publisher running as they do in the host.</summary>
    private sealed class RunningLog : IAsyncDisposable
    {
        private readonly EventPublisher _publisher;

        private RunningLog(EventAppender appender, EventPublisher publisher)
        {
            Appender = appender;
            _publisher = publisher;
        }

        public const string LiveInstance = "live-a";

        public EventAppender Appender { get; }

        public static async Task<RunningLog> StartAsync(IDiscussionStore store, IPubSub pubSub, params string[] discussions)
        {
            // One Live instance serves every discussion these tests write to (d1 unless named).
            var routes = new LiveRoutes(new InProcessStateStore(TimeProvider.System), TimeProvider.System);
            foreach (var discussion in discussions.Length == 0 ? ["d1"] : discussions)
            {
                await routes.ServingOf(discussion).UpsertAsync(LiveInstance, "", TimeSpan.FromMinutes(5));
            }
            var publisher = new EventPublisher(store, pubSub, routes, TimeProvider.System, NullLogger<EventPublisher>.Instance);
            var appender = new EventAppender(store, publisher);
            await publisher.StartAsync(CancellationToken.None);
            await appender.StartAsync(CancellationToken.None);
            return new RunningLog(appender, publisher);
        }

        public async ValueTask DisposeAsync()
        {
            await Appender.StopAsync(CancellationToken.None);
            await _publisher.StopAsync(CancellationToken.None);
            Appender.Dispose();
            _publisher.Dispose();
        }
    }
}
