namespace IWouldArgue.BuildingBlocks;

/// <summary>
/// Ephemeral key/value state with optimistic concurrency (ETags) and expiry (TTL), e.g. raised hands
/// and instance routing. Not a database: values may be lost with the store; keep durable data elsewhere.
/// </summary>
public interface IStateStore
{
    /// <summary>The value and its ETag, or null when the key does not exist (or expired).</summary>
    Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves a value. With an ETag, saves only if the stored value still has it (first write wins) and
    /// returns false otherwise; without one, the last write wins. A TTL makes the key expire.
    /// </summary>
    Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Deletes a key; with an ETag, only if it still matches (returns false otherwise).</summary>
    Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default);
}

/// <summary>A stored value and the ETag that identifies this version of it.</summary>
public sealed record StateEntry(ReadOnlyMemory<byte> Value, string ETag);
