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
        var instances = await Instances.ReadAsync(cancellationToken);
        var candidates = instances.Keys.Where(id => skip is null || !skip(id)).ToList();
        var owner = Rendezvous.Pick(discussionId, candidates.Count > 0 ? candidates : instances.Keys);
        return owner is { } id ? (id, instances[id]) : null;
    }
}
