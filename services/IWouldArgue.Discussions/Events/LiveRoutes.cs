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
    // Routers read the list of instances at most once a second, however many watchers arrive at once: 20,000 people
    // opening the room within seconds must not become 20,000 reads of the state store (on NATS they timed out). An
    // instance that registers reaches routers within a second; one that died is skipped by whoever found it unreachable.
    private static readonly TimeSpan InstancesMaxAge = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private Task<IReadOnlyDictionary<string, string>>? _instances;
    private DateTimeOffset _instancesReadAt;
    // The last list read, used for a while when a read fails (an overloaded broker answering nothing for a moment).
    private static readonly TimeSpan StaleUse = TimeSpan.FromSeconds(30);
    private volatile KnownInstances? _lastGood;

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
        try
        {
            instances = await InstancesAsync().WaitAsync(cancellationToken);
            _lastGood = new KnownInstances(instances, clock.GetUtcNow());
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested && _lastGood is { } last && clock.GetUtcNow() - last.ReadAt < StaleUse)
        {
            instances = last.Instances;
        }
        var candidates = instances.Keys.Where(id => skip is null || !skip(id)).ToList();
        var owner = Rendezvous.Pick(discussionId, candidates.Count > 0 ? candidates : instances.Keys);
        return owner is { } id ? (id, instances[id]) : null;
    }

    // One read shared by every caller within InstancesMaxAge (not cancelled by any one of them); a failed read is not kept.
    private Task<IReadOnlyDictionary<string, string>> InstancesAsync()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_instances is null || _instances.IsFaulted || _instances.IsCanceled || now - _instancesReadAt >= InstancesMaxAge)
            {
                _instances = Instances.ReadAsync(CancellationToken.None);
                _instancesReadAt = now;
            }
            return _instances;
        }
    }

    private sealed record KnownInstances(IReadOnlyDictionary<string, string> Instances, DateTimeOffset ReadAt);
}
