using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions;

/// <summary>Comments per person: a token bucket of <see cref="DiscussionOptions.CommentBurst"/> refilled at <see cref="DiscussionOptions.CommentsPerSecond"/>.</summary>
public sealed class CommentRateLimiter(IOptions<DiscussionOptions> options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(userId =>
        RateLimitPartition.GetTokenBucketLimiter(userId, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.CommentBurst,
            TokensPerPeriod = Math.Max(1, (int)Math.Round(options.Value.CommentsPerSecond)),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, 1 / options.Value.CommentsPerSecond)),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    /// <summary>Takes one comment's token; null when allowed, else how long to wait.</summary>
    public TimeSpan? TryAcquire(string userId)
    {
        using var lease = _limiter.AttemptAcquire(userId);
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
    }

    /// <inheritdoc/>
    public void Dispose() => _limiter.Dispose();
}
