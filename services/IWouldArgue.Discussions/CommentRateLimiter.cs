using System.Buffers.Binary;
using System.Threading.RateLimiting;
using IWouldArgue.BuildingBlocks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions;

/// <summary>
/// Comments per person: a token bucket of <see cref="DiscussionOptions.CommentBurst"/> refilled at
/// <see cref="DiscussionOptions.CommentsPerSecond"/>, kept in the state store so that every Discussions instance draws
/// from the same bucket (a person whose posts land on N instances still gets one rate, not N). Each take is a read and
/// a compare-and-set write; when the state store cannot be reached (a broker restart) or takes over half a second, an
/// in-memory bucket per instance stands in for the next 5 s, so comments are limited per instance rather than refused
/// or slowed.
/// </summary>
public sealed partial class CommentRateLimiter(IStateStore state, IOptions<DiscussionOptions> options, TimeProvider clock, ILogger<CommentRateLimiter> logger) : IDisposable
{
    private const int Attempts = 8;
    private static readonly TimeSpan StateLimit = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan LocalFor = TimeSpan.FromSeconds(5);
    private long _localUntil;
    private readonly SemaphoreSlim[] _turns = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly PartitionedRateLimiter<string> _local = PartitionedRateLimiter.Create<string, string>(userId =>
        RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.CommentBurst,
            TokensPerPeriod = Math.Max(1, (int)Math.Round(options.Value.CommentsPerSecond)),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, 1 / options.Value.CommentsPerSecond)),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Takes one comment's token; null when allowed, else how long to wait.</summary>
    public async Task<TimeSpan?> TryAcquireAsync(string userId, CancellationToken cancellationToken)
    {
        var key = $"comment-rate:{userId}";
        var (burst, rate) = (options.Value.CommentBurst, options.Value.CommentsPerSecond);
        if (clock.GetUtcNow().ToUnixTimeMilliseconds() < Interlocked.Read(ref _localUntil))
        {
            return Local(userId);
        }
        // One take per person at a time in this instance, so compare-and-set races only between instances (a person
        // posting in many discussions at once would otherwise race with themselves until every attempt failed).
        var turn = _turns[(uint)StringComparer.Ordinal.GetHashCode(userId) % (uint)_turns.Length];
        if (!await turn.WaitAsync(StateLimit, cancellationToken))
        {
            return Local(userId); // the state store is too slow to keep up with this person's posts: decide here
        }
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(StateLimit);
        try
        {
            for (var attempt = 0; attempt < Attempts; attempt++)
            {
                var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
                var entry = await state.GetAsync(key, limit.Token);
                var (tokens, at) = entry is null ? (burst, now) : Read(entry.Value.Span);
                tokens = Math.Min(burst, tokens + (now - at) / 1000.0 * rate);
                if (tokens < 1)
                {
                    return TimeSpan.FromSeconds((1 - tokens) / rate);
                }
                // Kept as long as refilling a spent bucket takes; a missing key is a full bucket. The state store has no
                // create-if-absent, so two instances creating one person's bucket at the same moment both succeed: one
                // token in a full bucket, the only one that can be taken twice.
                var ttl = TimeSpan.FromSeconds(Math.Ceiling(burst / rate) + 1);
                if (await state.TrySaveAsync(key, Write(tokens - 1, now), entry?.ETag, ttl, limit.Token))
                {
                    return null;
                }
                // Another post took a token meanwhile: read again.
            }
            // Other instances kept winning the race (rare: each races once per person): this instance decides alone.
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _localUntil, (clock.GetUtcNow() + LocalFor).ToUnixTimeMilliseconds());
            Log.StateUnavailable(logger, e);
        }
        finally
        {
            turn.Release();
        }
        return Local(userId);
    }

    private TimeSpan? Local(string userId)
    {
        using var lease = _local.AttemptAcquire(userId);
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    private static (double Tokens, long At) Read(ReadOnlySpan<byte> value) =>
        value.Length == 16 ? (BinaryPrimitives.ReadDoubleLittleEndian(value), BinaryPrimitives.ReadInt64LittleEndian(value[8..])) : (0, 0);

    private static byte[] Write(double tokens, long at)
    {
        var value = new byte[16];
        BinaryPrimitives.WriteDoubleLittleEndian(value, tokens);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(8), at);
        return value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _local.Dispose();
        foreach (var turn in _turns)
        {
            turn.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 60, Level = LogLevel.Warning, Message = "The shared comment limit could not be read or written; this instance limits comments on its own for 5 s")]
        public static partial void StateUnavailable(ILogger logger, Exception exception);
    }
}
