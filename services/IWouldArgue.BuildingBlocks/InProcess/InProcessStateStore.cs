using System.Collections.Concurrent;
using System.Globalization;

namespace IWouldArgue.BuildingBlocks.InProcess;

/// <summary>State in this process's memory: the embedded default. ETags are per-key version numbers.</summary>
public sealed class InProcessStateStore(TimeProvider clock) : IStateStore
{
    private readonly ConcurrentDictionary<string, Item> _items = new(StringComparer.Ordinal);
    private long _version;

    /// <inheritdoc/>
    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult(Live(key) is { } item ? new StateEntry(item.Value, item.ETag) : null);

    /// <inheritdoc/>
    public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var next = new Item(value.ToArray(), NextETag(), ttl is { } t ? clock.GetUtcNow() + t : null);
        if (etag is null)
        {
            _items[key] = next;
            return Task.FromResult(true);
        }
        // First write wins: replace only the exact version the caller read.
        return Task.FromResult(Live(key) is { } current && current.ETag == etag && _items.TryUpdate(key, next, current));
    }

    /// <inheritdoc/>
    public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default)
    {
        if (etag is null)
        {
            _items.TryRemove(key, out _);
            return Task.FromResult(true);
        }
        return Task.FromResult(Live(key) is { } current && current.ETag == etag
            && _items.TryRemove(new KeyValuePair<string, Item>(key, current)));
    }

    private Item? Live(string key)
    {
        if (!_items.TryGetValue(key, out var item))
        {
            return null;
        }
        if (item.ExpiresAt is { } expiry && expiry <= clock.GetUtcNow())
        {
            _items.TryRemove(new KeyValuePair<string, Item>(key, item));
            return null;
        }
        return item;
    }

    private string NextETag() => Interlocked.Increment(ref _version).ToString(CultureInfo.InvariantCulture);

    private sealed record Item(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);
}
