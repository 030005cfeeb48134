using System.Globalization;
using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Options;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>
/// State through the Dapr sidecar with the Dapr SDK's byte-state calls (gRPC). ETags give first-write-wins saves
/// and deletes (the SDK answers false when the sidecar reports a mismatch); a TTL travels as the
/// <c>ttlInSeconds</c> metadata, which Dapr's state stores honour.
/// </summary>
public sealed class DaprStateStore(DaprClient dapr, IOptions<DaprOptions> options) : IStateStore
{
    private static readonly StateOptions FirstWrite = new() { Concurrency = ConcurrencyMode.FirstWrite };

    private string Store => options.Value.StateStoreName;

    /// <inheritdoc/>
    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var (value, etag) = await CallAsync("read", key, () =>
            dapr.GetByteStateAndETagAsync(Store, key, consistencyMode: ConsistencyMode.Strong, cancellationToken: cancellationToken));
        // A missing key comes back as no data and no ETag; every stored value has an ETag.
        return value.IsEmpty && string.IsNullOrEmpty(etag) ? null : new StateEntry(value, etag ?? "");
    }

    /// <inheritdoc/>
    public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyDictionary<string, string>? metadata = ttl is { } t
            ? new Dictionary<string, string> { ["ttlInSeconds"] = Math.Max(1, (long)Math.Ceiling(t.TotalSeconds)).ToString(CultureInfo.InvariantCulture) }
            : null;
        return CallAsync("save", key, async () =>
        {
            if (etag is null)
            {
                await dapr.SaveByteStateAsync(Store, key, value, metadata: metadata, cancellationToken: cancellationToken);
                return true;
            }
            return await dapr.TrySaveByteStateAsync(Store, key, value, etag, FirstWrite, metadata, cancellationToken);
        });
    }

    /// <inheritdoc/>
    public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) =>
        CallAsync("delete", key, async () =>
        {
            if (etag is null)
            {
                await dapr.DeleteStateAsync(Store, key, cancellationToken: cancellationToken);
                return true;
            }
            return await dapr.TryDeleteStateAsync(Store, key, etag, FirstWrite, cancellationToken: cancellationToken);
        });

    private static async Task<T> CallAsync<T>(string operation, string key, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (DaprException ex)
        {
            throw new StateStoreException($"Dapr could not {operation} state {key}: {DaprErrors.Describe(ex)}", ex);
        }
    }
}

/// <summary>A state operation the store failed (not an ETag conflict, which is a normal false answer).</summary>
public sealed class StateStoreException(string message, Exception? inner = null) : Exception(message, inner);
