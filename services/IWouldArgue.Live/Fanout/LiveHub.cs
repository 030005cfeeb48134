using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Live.Fanout;

/// <summary>Why a Watch call was not admitted.</summary>
internal enum Admission
{
    /// <summary>Admitted.</summary>
    Admitted,
    /// <summary>This instance holds its maximum of watchers.</summary>
    InstanceFull,
    /// <summary>The discussion holds its maximum of watchers on this instance.</summary>
    DiscussionFull,
    /// <summary>The instance is stopping.</summary>
    Stopping,
}

/// <summary>
/// This instance's index of discussion to watchers: one <see cref="DiscussionFanout"/> per watched
/// discussion, created by its first watcher and retired when it has had none for a while. Counts watchers
/// against the instance and per-discussion limits, and keeps this instance registered as serving each
/// discussion it holds, so Discussions publishes those events to this instance's topic.
/// </summary>
internal sealed partial class LiveHub(IDiscussionFeed feed, LiveRoutes routes, LiveInstanceInfo instance, IOptions<LiveOptions> options, TimeProvider clock, ILogger<LiveHub> logger)
{
    private readonly Dictionary<string, DiscussionFanout> _fanouts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private int _watchers;
    private bool _stopping;

    public IDiscussionFeed Feed => feed;

    public LiveOptions Options => options.Value;

    public TimeProvider Clock => clock;

    public ILogger Logger => logger;

    /// <summary>Counts a Watch call in, or says which limit stops it. Pair with <see cref="Release"/>.</summary>
    public Admission TryAdmit(string discussionId, out DiscussionFanout? fanout)
    {
        fanout = null;
        lock (_lock)
        {
            if (_stopping)
            {
                return Admission.Stopping;
            }
            if (_watchers >= Options.MaxWatchersPerInstance)
            {
                return Admission.InstanceFull;
            }
            if (!_fanouts.TryGetValue(discussionId, out var existing))
            {
                existing = new DiscussionFanout(discussionId, this);
                _fanouts.Add(discussionId, existing);
                existing.Start();
            }
            if (existing.Admitted >= Options.MaxWatchersPerDiscussion)
            {
                return Admission.DiscussionFull;
            }
            existing.Admitted++;
            _watchers++;
            ProductMetrics.Watchers.Add(1);
            fanout = existing;
            return Admission.Admitted;
        }
    }

    public void Release(DiscussionFanout fanout, Watcher? watcher)
    {
        if (watcher is not null)
        {
            fanout.Leave(watcher);
        }
        lock (_lock)
        {
            fanout.Admitted--;
            _watchers--;
            ProductMetrics.Watchers.Add(-1);
        }
    }

    /// <summary>Hands a published event to its discussion's fanout; events of discussions not watched here are ignored.</summary>
    public void Deliver(DiscussionEvent e)
    {
        DiscussionFanout? fanout;
        lock (_lock)
        {
            _fanouts.TryGetValue(e.DiscussionId, out fanout);
        }
        fanout?.Post(e);
    }

    /// <summary>Removes an idle fanout, unless a watcher is being admitted to it or events wait in its inbox.</summary>
    public bool TryRetire(DiscussionFanout fanout, bool force = false)
    {
        lock (_lock)
        {
            if (!force && (fanout.Admitted > 0 || fanout.HasWork))
            {
                return false;
            }
            if (_fanouts.TryGetValue(fanout.DiscussionId, out var current) && current == fanout)
            {
                _fanouts.Remove(fanout.DiscussionId);
            }
            return true;
        }
    }

    // A state store that stops answering (a broker gone mid-request) must not hold a discussion's pump, nor the
    // instance's stop, which waits for every pump: each routing write gets this long, then counts as failed.
    private static readonly TimeSpan RoutingWriteLimit = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A write to the routing table, given at most <see cref="RoutingWriteLimit"/> (and <paramref name="cancellationToken"/>)
    /// even when the store ignores its token; returns why it failed, or null. Routing entries expire by themselves, so
    /// a failed write is logged and left to the next renewal or the entry's expiry.
    /// </summary>
    public static async Task<Exception?> RoutingWriteAsync(Func<CancellationToken, Task> write, CancellationToken cancellationToken = default)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(RoutingWriteLimit);
        try
        {
            await write(limit.Token).WaitAsync(limit.Token);
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || limit.IsCancellationRequested)
        {
            return ex;
        }
    }

    public async Task RegisterAsync(string discussionId)
    {
        // Watchers still get events when this fails: gap repair and tail checks read the log until a renewal succeeds.
        if (await RoutingWriteAsync(t => routes.ServingOf(discussionId).UpsertAsync(instance.Id, instance.Address, Options.RegistrationInterval * 3, t)) is { } failure)
        {
            Log.RegistrationFailed(logger, discussionId, failure);
        }
    }

    public async Task UnregisterAsync(string discussionId)
    {
        if (await RoutingWriteAsync(t => routes.ServingOf(discussionId).RemoveAsync(instance.Id, t)) is { } failure)
        {
            Log.RegistrationFailed(logger, discussionId, failure);
        }
    }

    /// <summary>Tells every watcher to resync (they reconnect to another instance) and stops every fanout.</summary>
    public async Task StopAsync()
    {
        List<DiscussionFanout> all;
        lock (_lock)
        {
            _stopping = true;
            all = [.. _fanouts.Values];
        }
        foreach (var fanout in all)
        {
            fanout.Stop();
        }
        await Task.WhenAll(all.Select(f => f.Running));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "Could not update the routing entry of discussion {DiscussionId}; retrying at the next renewal")]
        public static partial void RegistrationFailed(ILogger logger, string discussionId, Exception exception);
    }
}
