using System.Globalization;
using System.Threading.RateLimiting;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using Grpc.Core;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Request rate limits at the edge, each a token bucket: every request counts against its IP address
/// (ASP.NET Core's rate limiter, before the access token is checked, so a flood of made-up tokens is cut
/// before it costs signature checks), and a request with a verified token also against its user. A gRPC
/// call over a limit gets RESOURCE_EXHAUSTED with the retry delay in its details; anything else gets 429
/// with Retry-After. A Watch stream counts once, when it opens. Sign-ups and sign-in attempts also count per address
/// over a sliding window (<see cref="EdgeOptions.SignUpsPerAddressPerHour"/>, <see cref="EdgeOptions.SignInsPerAddressPerMinute"/>):
/// here, where the browser's address is known (behind the gateway, Identity only sees the gateway's).
/// </summary>
public static class EdgeRateLimits
{
    /// <summary>Adds both limiters, configured from <see cref="EdgeOptions"/>.</summary>
    public static IServiceCollection AddEdgeRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<EdgeOptions>>((limiter, edge) =>
        {
            var o = edge.Value;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PartitionedRateLimiter.Create<HttpContext, string>(http => Bucket("ip:" + AddressOf(http), o.IpRequestsPerSecond, o.IpBurst)),
                PartitionedRateLimiter.Create<HttpContext, string>(http => AccountCalls(http, o)));
            limiter.OnRejected = (rejected, cancellationToken) => RejectAsync(rejected.HttpContext, rejected.Lease, cancellationToken);
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<EdgeOptions>>().Value;
            return new UserLimiter(PartitionedRateLimiter.Create<string, string>(user => Bucket(user, o.UserRequestsPerSecond, o.UserBurst)));
        });
        return services;
    }

    /// <summary>The per-address limit; goes before the access-token check.</summary>
    public static IApplicationBuilder UseAddressRateLimit(this IApplicationBuilder app) => app.UseRateLimiter();

    /// <summary>The per-user limit; goes after the access-token check.</summary>
    public static IApplicationBuilder UseUserRateLimit(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.VerifiedCaller() is { } caller)
            {
                using var lease = context.RequestServices.GetRequiredService<UserLimiter>().Limiter.AttemptAcquire(caller.UserId);
                if (!lease.IsAcquired)
                {
                    await RejectAsync(context, lease, context.RequestAborted);
                    return;
                }
            }
            await next(context);
        });

    private static string AddressOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    // Sign-ups and sign-ins per address: slow on purpose (a password hash each) and the target of guessing.
    private static RateLimitPartition<string> AccountCalls(HttpContext http, EdgeOptions o) => http.Request.Path.Value switch
    {
        SignUpPath => Window("sign-up:" + AddressOf(http), o.SignUpsPerAddressPerHour, TimeSpan.FromHours(1)),
        SignInPath => Window("sign-in:" + AddressOf(http), o.SignInsPerAddressPerMinute, TimeSpan.FromMinutes(1)),
        _ => RateLimitPartition.GetNoLimiter(""),
    };

    private const string SignUpPath = "/iwouldargue.v1.IdentityService/SignUp";
    private const string SignInPath = "/iwouldargue.v1.IdentityService/SignIn";

    private static RateLimitPartition<string> Window(string key, int permits, TimeSpan window) =>
        RateLimitPartition.GetSlidingWindowLimiter(key, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = permits,
            Window = window,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        });

    private static RateLimitPartition<string> Bucket(string key, int perSecond, int burst) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private static async ValueTask RejectAsync(HttpContext http, RateLimitLease lease, CancellationToken cancellationToken)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);
        var (message, reason) = http.Request.Path.Value switch
        {
            SignUpPath => ($"Too many accounts were created from your network; try again in {Math.Ceiling(wait.TotalMinutes)} min.", "SIGN_UPS_LIMITED"),
            SignInPath => ("Too many sign-in attempts from your network; wait a minute and try again.", "SIGN_INS_LIMITED"),
            _ => ("Too many requests; slow down and retry shortly.", "RATE_LIMITED"),
        };
        if (await http.TryRespondWithRpcErrorAsync(RpcErrors.ResourceExhausted(message, wait, reason)))
        {
            return;
        }
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await http.Response.WriteAsync(message, cancellationToken);
    }

    /// <summary>The per-user buckets, one process-wide instance.</summary>
    internal sealed class UserLimiter(PartitionedRateLimiter<string> limiter) : IDisposable
    {
        public PartitionedRateLimiter<string> Limiter { get; } = limiter;

        public void Dispose() => Limiter.Dispose();
    }
}
