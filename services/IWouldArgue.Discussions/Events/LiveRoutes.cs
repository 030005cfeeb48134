using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.Routing;

namespace IWouldArgue.Discussions.Events;

/// <summary>
/// Where a discussion's events go: the state store records which Live instances are alive (with their
/// addresses) and which of them serve each discussion; each instance has its own topic. Discussions
/// publishes an event only to the topics of the instances serving its discussion, so one comment costs one
/// publish per serving instance (usually one), not one per instance in the cluster.
/// </summary>
public sealed class LiveRoutes(IStateStore state, TimeProvider clock)
{
    // Routers route on the last list of instances they read and refresh it in the background, at most once a second,
    // so a Watch waits on the state store only when this process has never read the list. 20,000 people opening the
    // room within seconds are routed from memory: when every Watch waited on a read instead, one read the overloaded
    // broker did not answer failed all of them at once (on NATS, 14,816 of 20,000 in one run of bench/edge-fanout.sh).
    // An instance that registers reaches a router on the first route after the next refresh; one that died is skipped
    // by whoever found it unreachable. A list kept through a failed refresh can only be out of date, not wrong: every
    // instance that serves a discussion registers as serving it, and events go to all of those.
    private static readonly TimeSpan RefreshAfter = TimeSpan.FromSeconds(1);
    // A read the store never answers ends here, so that the next one can start (NATS's own requests end in 5 s).
    private static readonly TimeSpan ReadLimit = TimeSpan.FromSeconds(10);
    private readonly Lock _gate = new();
    private Task<IReadOnlyDictionary<string, string>>? _reading;
    private DateTimeOffset _readingSince = DateTimeOffset.MinValue;
    private volatile KnownInstances? _known;

    /// <summary>The topic one Live instance subscribes to.</summary>
    public static string TopicOf(string instanceId) => $"live-events.{instanceId}";

    /// <summary>The Live instances alive now (id to address).</summary>
    public ExpiringSet Instances { get; } = new(state, clock, "live-instances");

    /// <summary>The Live instances serving one discussion.</summary>
    public ExpiringSet ServingOf(string discussionId) => new(state, clock, $"live-serving:{discussionId}");

    /// <summary>The instance that should serve a discussion's watchers (rendezvous over live instances), or null when none is up.</summary>
    public Task<(string InstanceId, string Address)?> OwnerOfAsync(string discussionId, CancellationToken cancellationToken = default) =>
        OwnerOfAsync(discussionId, skip: null, cancellationToken);

    /// <summary>
    /// The owner among the registered instances minus those <paramref name="skip"/> names (say, found unreachable
    /// before their registration lapsed); all of them when it would name every one (a suspicion may be out of date).
    /// Every router that skips the same instances agrees on the owner.
    /// </summary>
    public async Task<(string InstanceId, string Address)?> OwnerOfAsync(string discussionId, Func<string, bool>? skip, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, string> instances;
        if (_known is { Instances.Count: > 0 } known)
        {
            instances = known.Instances;
            if (clock.GetUtcNow() - known.ReadAt >= RefreshAfter)
            {
                RefreshInBackground();
            }
        }
        else
        {
            // Nothing read yet, or a list of none: every Live instance registers as it starts, so an empty list is one
            // read before the first of them did (a gateway starting beside them), and is read again, not routed on.
            instances = await ReadAsync().WaitAsync(cancellationToken);
        }
        var candidates = instances.Keys.Where(id => skip is null || !skip(id)).ToList();
        var owner = Rendezvous.Pick(discussionId, candidates.Count > 0 ? candidates : instances.Keys);
        return owner is { } id ? (id, instances[id]) : null;
    }

    /// <summary>
    /// Reads the list of instances now (joining a read under way), for a router to have it before its first route;
    /// throws when the state store cannot be reached.
    /// </summary>
    public Task LoadAsync(CancellationToken cancellationToken = default) => ReadAsync().WaitAsync(cancellationToken);

    // One read at a time, shared by every caller (not cancelled by any one of them); the list it brings is kept.
    private Task<IReadOnlyDictionary<string, string>> ReadAsync()
    {
        lock (_gate)
        {
            if (_reading is not { IsCompleted: false })
            {
                _reading = ReadAndKeepAsync();
                _readingSince = clock.GetUtcNow();
            }
            return _reading;
        }
    }

    // A refresh no route waits for: not while one is under way, nor sooner than RefreshAfter after the last began
    // (a failed one too: a store that does not answer is not asked again by every route). Its failure is dropped
    // here; the list stays as it was.
    private void RefreshInBackground()
    {
        lock (_gate)
        {
            if (_reading is { IsCompleted: false } || clock.GetUtcNow() - _readingSince < RefreshAfter)
            {
                return;
            }
        }
        _ = ReadAsync().ContinueWith(static read => _ = read.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<IReadOnlyDictionary<string, string>> ReadAndKeepAsync()
    {
        var instances = await Instances.ReadAsync(CancellationToken.None).WaitAsync(ReadLimit, clock);
        _known = new KnownInstances(instances, clock.GetUtcNow());
        return instances;
    }

    private sealed record KnownInstances(IReadOnlyDictionary<string, string> Instances, DateTimeOffset ReadAt);
}
