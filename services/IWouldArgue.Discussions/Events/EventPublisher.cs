using System.Collections.Concurrent;
using System.Threading.Channels;
using Google.Protobuf;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Discussions.Events;

/// <summary>
/// Publishes committed events and marks them published: the log is the outbox. Each event goes to the
/// topic of every Live instance serving its discussion (see <see cref="LiveRoutes"/>; none serving means
/// nobody is watching, and the event is only in the log). Each discussion's events go out in sequence, different
/// discussions' side by side. Fresh events go out at once; anything left unpublished (a broker outage, a crash between commit and publish) is swept from
/// the log at start-up and every few seconds, with its original sequence number. Subscribers may see an
/// event twice and must ignore sequence numbers they already have. Routes are cached for
/// <see cref="RouteCacheTtl"/>: an instance that starts serving a discussion catches up from the log over
/// that window (it checks the log's tail after it registers).
/// </summary>
public sealed partial class EventPublisher(IDiscussionStore store, IPubSub pubSub, LiveRoutes routes, TimeProvider clock, ILogger<EventPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    /// <summary>How long the set of instances serving a discussion is reused before it is read again.</summary>
    public static readonly TimeSpan RouteCacheTtl = TimeSpan.FromSeconds(1);

    // "Nobody serves it" is re-read sooner: the first watcher of a discussion should get pub/sub delivery
    // quickly rather than wait for its instance's log tail check.
    private static readonly TimeSpan EmptyRouteCacheTtl = TimeSpan.FromMilliseconds(250);
    // Read and written by the discussions being published side by side (each its own key).
    private readonly ConcurrentDictionary<string, (string[] Topics, DateTimeOffset ReadAt)> _routes = new(StringComparer.Ordinal);

    /// <summary>How many discussions' events are published side by side.</summary>
    public const int ConcurrentDiscussions = 32;

    // Marks are written in batches: each is a write transaction competing with appends for SQLite's one
    // writer. A mark that is late only means a crash right now would publish those events again.
    private static readonly TimeSpan MarkInterval = TimeSpan.FromMilliseconds(250);
    private const int MarkBatch = 2000;
    private readonly List<DiscussionEvent> _toMark = [];
    private DateTimeOffset _lastMark;
    private readonly Channel<IReadOnlyList<DiscussionEvent>> _fresh = Channel.CreateUnbounded<IReadOnlyList<DiscussionEvent>>(new UnboundedChannelOptions { SingleReader = true });

    internal void Enqueue(IReadOnlyList<DiscussionEvent> events) => _fresh.Writer.TryWrite(events);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await RunAsync(stoppingToken);
        }
        finally
        {
            // What went out must be recorded even when stopping, or the next start publishes it again.
            await TryMarkAsync(force: true, CancellationToken.None);
        }
    }

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        // Whatever a previous run committed but did not publish goes first.
        await SweepAsync(olderThan: null, stoppingToken);
        var nextSweep = clock.GetUtcNow() + SweepInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = nextSweep - clock.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                timeout.CancelAfter(wait);
                try
                {
                    if (await _fresh.Reader.WaitToReadAsync(timeout.Token))
                    {
                        var batch = new List<DiscussionEvent>();
                        while (_fresh.Reader.TryRead(out var events))
                        {
                            batch.AddRange(events);
                        }
                        await PublishAsync(batch, stoppingToken);
                        await TryMarkAsync(force: false, stoppingToken);
                        continue;
                    }
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time for a sweep.
                }
            }
            await TryMarkAsync(force: true, stoppingToken);
            await SweepAsync(clock.GetUtcNow() - SweepInterval, stoppingToken);
            nextSweep = clock.GetUtcNow() + SweepInterval;
        }
    }

    private async Task SweepAsync(DateTimeOffset? olderThan, CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var unpublished = await store.ListUnpublishedAsync(500, stoppingToken);
                var due = olderThan is { } cutoff ? unpublished.Where(e => e.OccurredAt.ToDateTimeOffset() < cutoff).ToList() : unpublished;
                var published = await PublishAsync(due, stoppingToken);
                await MarkAsync(force: true, stoppingToken);
                if (due.Count == 0 || published < due.Count || unpublished.Count < 500)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.SweepFailed(logger, ex);
        }
    }

    /// <summary>
    /// Publishes each discussion's events in order, and different discussions' side by side (up to
    /// <see cref="ConcurrentDiscussions"/> at a time): a discussion's next event waits for the broker's acknowledgement of
    /// its previous one, so even a broker that does not keep the order of concurrent publishes (a Dapr sidecar) delivers
    /// every discussion's events in sequence, while one discussion's round trips no longer hold up the others'. A
    /// discussion stops at its first failure (its later events stay in the outbox for the sweep, rather than arrive after
    /// a gap); the others carry on. Queues what went out to be marked; returns how many went out.
    /// </summary>
    private async Task<int> PublishAsync(IReadOnlyList<DiscussionEvent> events, CancellationToken stoppingToken)
    {
        var discussions = events.GroupBy(e => e.DiscussionId, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        var published = new List<DiscussionEvent>[discussions.Count];
        var failures = new Exception?[discussions.Count];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = ConcurrentDiscussions, CancellationToken = stoppingToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, discussions.Count), parallel, async (i, cancellationToken) =>
        {
            published[i] = new List<DiscussionEvent>(discussions[i].Count);
            try
            {
                foreach (var e in discussions[i])
                {
                    await PublishOneAsync(e, cancellationToken);
                    published[i].Add(e);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures[i] = ex;
            }
        });
        var count = 0;
        foreach (var done in published)
        {
            _toMark.AddRange(done);
            count += done.Count;
        }
        if (failures.FirstOrDefault(f => f is not null) is { } failure)
        {
            Log.PublishFailed(logger, events.Count - count, failures.Count(f => f is not null), failure);
        }
        return count;
    }

    private async Task PublishOneAsync(DiscussionEvent e, CancellationToken cancellationToken)
    {
        var topics = await TopicsOfAsync(e.DiscussionId, cancellationToken);
        var lifecycle = DiscussionTopics.IsLifecycle(e);
        if (topics.Length == 0 && !lifecycle)
        {
            return; // nobody watches it: the log has it
        }
        var message = new PubSubMessage($"{e.DiscussionId}:{e.Seq}", DiscussionTopics.EventType, e.ToByteArray());
        foreach (var topic in topics)
        {
            await pubSub.PublishAsync(topic, message, cancellationToken);
        }
        if (lifecycle)
        {
            await pubSub.PublishAsync(DiscussionTopics.Lifecycle, message, cancellationToken);
        }
    }

    private async ValueTask<string[]> TopicsOfAsync(string discussionId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        if (_routes.TryGetValue(discussionId, out var cached) && now - cached.ReadAt < (cached.Topics.Length == 0 ? EmptyRouteCacheTtl : RouteCacheTtl))
        {
            return cached.Topics;
        }
        if (_routes.Count > 10_000)
        {
            foreach (var stale in _routes.Where(r => now - r.Value.ReadAt >= RouteCacheTtl).Select(r => r.Key).ToList())
            {
                _routes.TryRemove(stale, out _);
            }
        }
        var serving = await routes.ServingOf(discussionId).ReadAsync(cancellationToken);
        var topics = serving.Keys.Select(LiveRoutes.TopicOf).ToArray();
        _routes[discussionId] = (topics, now);
        return topics;
    }

    // A failed mark keeps its events queued for the next attempt; the loop must outlive a database hiccup or a
    // full disk (a host that stopped itself over a mark would refuse reads too, and stop again at its next start).
    private async Task TryMarkAsync(bool force, CancellationToken cancellationToken)
    {
        try
        {
            await MarkAsync(force, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.MarkFailed(logger, _toMark.Count, ex);
        }
    }

    private async Task MarkAsync(bool force, CancellationToken cancellationToken)
    {
        if (_toMark.Count == 0 || (!force && _toMark.Count < MarkBatch && clock.GetUtcNow() - _lastMark < MarkInterval))
        {
            return;
        }
        await store.MarkPublishedAsync(_toMark, cancellationToken);
        _toMark.Clear();
        _lastMark = clock.GetUtcNow();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Publishing failed; {Count} events of {Discussions} discussions stay in the outbox and will be published by the next sweep")]
        public static partial void PublishFailed(ILogger logger, int count, int discussions, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The outbox sweep failed; it runs again shortly")]
        public static partial void SweepFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "Recording {Count} events as published failed; it is retried, and they may be published twice after a restart")]
        public static partial void MarkFailed(ILogger logger, int count, Exception exception);
    }
}
