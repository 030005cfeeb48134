using System.Globalization;
using System.Threading.RateLimiting;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Request rate limits at the edge (ASP.NET Core's rate limiter): every request counts against its IP
/// address, and a request with a verified access token also against its user, each a token bucket. A
/// gRPC call over the limit gets RESOURCE_EXHAUSTED with the retry delay in its details; anything else
/// gets 429 with Retry-After. A Watch stream counts once, when it opens.
/// </summary>
public static class EdgeRateLimits
{
    /// <summary>Adds the limiter, configured from <see cref="EdgeOptions"/>.</summary>
    public static IServiceCollection AddEdgeRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<EdgeOptions>>((limiter, edge) =>
        {
            var o = edge.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http =>
                    Bucket("ip:" + (http.Connection.RemoteIpAddress?.ToString() ?? "unknown"), o.IpRequestsPerSecond, o.IpBurst)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => http.VerifiedCaller() is { } caller
                    ? Bucket("user:" + caller.UserId, o.UserRequestsPerSecond, o.UserBurst)
                    : RateLimitPartition.GetNoLimiter("anonymous")));
            limiter.OnRejected = RejectAsync;
        });
        return services;
    }

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var http = rejected.HttpContext;
        if (await http.TryRespondWithRpcErrorAsync(RpcErrors.ResourceExhausted("Too many requests; slow down and retry shortly.", wait)))
        {
            return;
        }
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await http.Response.WriteAsync("Too many requests; slow down and retry shortly.", cancellationToken);
    }
}
