using System.Threading.RateLimiting;
using IWouldArgue.Contracts;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Identity;

/// <summary>
/// Sign-in attempts per IP address and per account (<see cref="IdentityOptions.SignInAttemptsPerMinute"/>
/// each, over a sliding minute), so passwords cannot be guessed quickly from one place or against one
/// account from many. Every attempt counts, right or wrong.
/// </summary>
public sealed class SignInLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public SignInLimiter(IOptions<IdentityOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var perMinute = options.Value.SignInAttemptsPerMinute;
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        }));
    }

    /// <summary>
    /// Counts an attempt; RESOURCE_EXHAUSTED with the wait when the IP address or the account is over its limit. No
    /// address (behind the gateway, which sees the browser's and counts it there): the account's limit only.
    /// </summary>
    public void Attempt(string? ipAddress, string normalizedEmail)
    {
        if (ipAddress is not null)
        {
            Take("ip:" + ipAddress, "Too many sign-in attempts from your network; wait a minute and try again.");
        }
        Take("account:" + normalizedEmail, "Too many sign-in attempts for this account; wait a minute and try again.");
    }

    private void Take(string key, string message)
    {
        using var lease = _limiter.AttemptAcquire(key);
        if (!lease.IsAcquired)
        {
            var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(10);
            throw RpcErrors.ResourceExhausted(message, wait);
        }
    }

    public void Dispose() => _limiter.Dispose();
}
