using System.Collections.Concurrent;
using IWouldArgue.Live;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Live instances this gateway could not reach, skipped when routing a discussion until their registration would have
/// lapsed (three renewal intervals). A killed instance stays registered for that long; without this, every watcher of
/// its discussions would retry it until then, instead of resuming at once on the next instance in rendezvous order.
/// </summary>
internal sealed class UnreachableInstances(IOptions<LiveOptions> live, TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);

    /// <summary>Records that <paramref name="instanceId"/> did not answer.</summary>
    public void Mark(string instanceId) => _until[instanceId] = clock.GetUtcNow() + live.Value.RegistrationInterval * 3;

    /// <summary>Whether <paramref name="instanceId"/> is to be skipped now.</summary>
    public bool Contains(string instanceId)
    {
        if (!_until.TryGetValue(instanceId, out var until))
        {
            return false;
        }
        if (until > clock.GetUtcNow())
        {
            return true;
        }
        _until.TryRemove(KeyValuePair.Create(instanceId, until));
        return false;
    }
}
