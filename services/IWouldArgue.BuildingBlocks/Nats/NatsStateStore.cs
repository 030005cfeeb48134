using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.KeyValueStore;

namespace IWouldArgue.BuildingBlocks.Nats;

/// <summary>
/// The state store on a NATS JetStream key/value bucket: the ETag is the entry's revision, so saving with an ETag is
/// NATS's compare-and-set (update only at that revision) and first write wins. A key's TTL is written in front of its
/// value (8 bytes: expiry in Unix milliseconds, 0 for none) and applied on read, since the servers this runs on give a
/// bucket one age limit, not one per key; that limit (<see cref="NatsOptions.StateRetention"/>) bounds every key.
/// </summary>
public sealed class NatsStateStore : IStateStore, IDisposable
{
    private const int HeaderBytes = 8;
    private readonly NatsKVContext _kv;
    private readonly NatsOptions _options;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _opening = new(1, 1);
    private INatsKVStore? _bucket;

    /// <summary>A state store in the bucket <see cref="NatsOptions.Bucket"/> over <paramref name="connection"/>.</summary>
    public NatsStateStore(NatsConnection connection, IOptions<NatsOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _kv = new NatsKVContext(new NatsJSContext(connection));
        _options = options.Value;
        _clock = clock;
    }

    /// <inheritdoc/>
    public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => Reachable(() => GetCoreAsync(key, cancellationToken));

    /// <inheritdoc/>
    public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
        Reachable(() => TrySaveCoreAsync(key, value, etag, ttl, cancellationToken));

    /// <inheritdoc/>
    public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) =>
        Reachable(() => TryDeleteCoreAsync(key, etag, cancellationToken));

    // NATS's own failures (no responder, timeouts, a lost connection) become the building blocks' one "unreachable".
    private static async Task<T> Reachable<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            throw new BuildingBlockUnavailableException("state store", e);
        }
    }

    private async Task<StateEntry?> GetCoreAsync(string key, CancellationToken cancellationToken)
    {
        var bucket = await BucketAsync(cancellationToken);
        try
        {
            var entry = await bucket.GetEntryAsync<byte[]>(NatsSubjects.Key(key), cancellationToken: cancellationToken);
            var stored = entry.Value ?? [];
            if (stored.Length < HeaderBytes || Expired(stored))
            {
                return null;
            }
            return new StateEntry(stored.AsMemory(HeaderBytes), entry.Revision.ToString(CultureInfo.InvariantCulture));
        }
        catch (NatsKVKeyNotFoundException)
        {
            return null;
        }
        catch (NatsKVKeyDeletedException)
        {
            return null;
        }
    }

    private async Task<bool> TrySaveCoreAsync(string key, ReadOnlyMemory<byte> value, string? etag, TimeSpan? ttl, CancellationToken cancellationToken)
    {
        var bucket = await BucketAsync(cancellationToken);
        var stored = new byte[HeaderBytes + value.Length];
        var expires = ttl is { } t ? _clock.GetUtcNow().Add(t).ToUnixTimeMilliseconds() : 0;
        BinaryPrimitives.WriteInt64BigEndian(stored, expires);
        value.Span.CopyTo(stored.AsSpan(HeaderBytes));
        if (etag is null)
        {
            await bucket.PutAsync(NatsSubjects.Key(key), stored, cancellationToken: cancellationToken);
            return true;
        }
        if (!ulong.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
        {
            return false;
        }
        try
        {
            await bucket.UpdateAsync(NatsSubjects.Key(key), stored, revision, cancellationToken: cancellationToken);
            return true;
        }
        catch (NatsKVWrongLastRevisionException)
        {
            return false;
        }
    }

    private async Task<bool> TryDeleteCoreAsync(string key, string? etag, CancellationToken cancellationToken)
    {
        var bucket = await BucketAsync(cancellationToken);
        var options = new NatsKVDeleteOpts();
        if (etag is not null)
        {
            if (!ulong.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var revision))
            {
                return false;
            }
            options = new NatsKVDeleteOpts { Revision = revision };
        }
        try
        {
            await bucket.DeleteAsync(NatsSubjects.Key(key), options, cancellationToken);
            return true;
        }
        catch (NatsKVWrongLastRevisionException)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _opening.Dispose();

    private bool Expired(byte[] stored)
    {
        var expires = BinaryPrimitives.ReadInt64BigEndian(stored);
        return expires != 0 && expires <= _clock.GetUtcNow().ToUnixTimeMilliseconds();
    }

    // The bucket is made (or found) once per process, at first use.
    private async ValueTask<INatsKVStore> BucketAsync(CancellationToken cancellationToken)
    {
        if (_bucket is { } ready)
        {
            return ready;
        }
        await _opening.WaitAsync(cancellationToken);
        try
        {
            return _bucket ??= await _kv.CreateOrUpdateStoreAsync(new NatsKVConfig(_options.Bucket)
            {
                History = 1,
                MaxAge = _options.StateRetention,
                Storage = NatsKVStorageType.File,
            }, cancellationToken);
        }
        finally
        {
            _opening.Release();
        }
    }
}
