using System.Collections.Concurrent;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks.Dapr;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>Where one service runs in the mesh: its own address, or its Dapr app id behind the local sidecar.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The service's gRPC (h2c) address, e.g. http://discussions:5080.</summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// Several instances of the service, instead of <see cref="Address"/>: gRPC calls go round-robin to those that
    /// accept connections (an instance that went away is skipped until it is back), file transfers in turn.
    /// </summary>
    public List<Uri> Addresses { get; set; } = [];

    /// <summary>The addresses configured (<see cref="Addresses"/>, or <see cref="Address"/> alone).</summary>
    public IReadOnlyList<Uri> Instances => Addresses.Count > 0 ? Addresses : Address is null ? [] : [Address];

    /// <summary>The service's Dapr app id: calls go to the sidecar's gRPC port (<see cref="DaprOptions.GrpcEndpoint"/>) with <c>dapr-app-id</c> metadata.</summary>
    public string? DaprAppId { get; set; }
}

/// <summary>The services the gateway forwards to instead of hosting, bound from "Gateway:Upstreams".</summary>
public sealed class UpstreamsOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gateway:Upstreams";

    /// <summary>The Identity service, when it runs apart.</summary>
    public UpstreamOptions? Identity { get; set; }

    /// <summary>The Discussions service, when it runs apart.</summary>
    public UpstreamOptions? Discussions { get; set; }

    /// <summary>
    /// The Live service, when it runs apart: Watch calls go to the instance that owns the discussion
    /// (rendezvous hashing over the instances registered in the state store), and to this address when
    /// none is registered.
    /// </summary>
    public UpstreamOptions? Live { get; set; }
}

/// <summary>
/// What of a browser's or integrator's request goes on to the services behind the gateway: not the access
/// token, cookies or the browser's own headers (only the edge reads them), and never anything that claims
/// to say who the caller is or where to route (the gateway sets those itself).
/// </summary>
public static class RelayedHeaders
{
    private static readonly HashSet<string> EdgeOnly = new(StringComparer.OrdinalIgnoreCase)
    {
        "authorization", "cookie", "host", "origin", "referer", "user-agent", "accept", "accept-encoding", "accept-language",
        "connection", "x-grpc-web", "x-user-agent", "dapr-app-id", "dapr-api-token", GatewayCallerHeader.Name,
        CallerResolver.UserIdHeader, CallerResolver.UserNameHeader,
    };

    /// <summary>Whether a request header may be sent on to a service.</summary>
    public static bool MayLeaveTheEdge(string name) =>
        !EdgeOnly.Contains(name) && !name.StartsWith("sec-", StringComparison.OrdinalIgnoreCase) && !name.StartsWith(':');
}

/// <summary>
/// The gateway's calls to the services behind it: one channel per address (HTTP/2 connections are
/// pooled and a new one opens when a connection has as many streams as the server allows), and the
/// options of each relayed call — the caller's deadline and cancellation, its metadata minus what only
/// the edge may read (the access token, cookies, the browser's own headers), and the caller the gateway
/// verified, signed (<see cref="GatewayCallerHeader"/>).
/// </summary>
public sealed class UpstreamCalls(GatewayCallerHeader vouch, IOptions<DaprOptions> dapr) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();
    private readonly ConcurrentDictionary<string, GrpcChannel> _balanced = new();

    /// <summary>Calls to an upstream (the Dapr sidecar for app ids).</summary>
    public CallInvoker InvokerFor(UpstreamOptions upstream) => ChannelTo(upstream).CreateCallInvoker();

    /// <summary>The channel to an upstream (the Dapr sidecar for app ids).</summary>
    public GrpcChannel ChannelTo(UpstreamOptions upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        if (upstream.DaprAppId is not null)
        {
            return ChannelTo(dapr.Value.GrpcEndpoint);
        }
        return upstream.Instances switch
        {
            [] => throw new InvalidOperationException("An upstream needs an Address, Addresses or a DaprAppId."),
            [var one] => ChannelTo(one),
            var several => _balanced.GetOrAdd(string.Join(' ', several), _ => Balanced(several)),
        };
    }

    /// <summary>The channel to an address.</summary>
    public GrpcChannel ChannelTo(Uri address) => _channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions
    {
        HttpHandler = Handler(),
        DisposeHttpClient = true,
    }));

    // grpc-dotnet's client-side balancing: a fixed list of addresses, round-robin over the subchannels that are
    // connected; one whose connection failed is retried in the background and skipped meanwhile.
    private static GrpcChannel Balanced(IReadOnlyList<Uri> addresses)
    {
        var resolved = addresses.Select(a => new BalancerAddress(a.Host, a.Port)).ToArray();
        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => resolved));
        return GrpcChannel.ForAddress("static:///upstream", new GrpcChannelOptions
        {
            Credentials = ChannelCredentials.Insecure,
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
            ServiceProvider = services.BuildServiceProvider(),
            HttpHandler = Handler(),
            DisposeHttpClient = true,
        });
    }

    private static SocketsHttpHandler Handler() => new()
    {
        // A connection carries as many streams as the upstream allows; more calls open another.
        EnableMultipleHttp2Connections = true,
        // gRPC's own connection backoff allows a connection attempt 20 s (its MIN_CONNECT_TIMEOUT): a busy upstream
        // completes the handshake late, and every call queued for a new connection would fail with it.
        ConnectTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        UseProxy = false,
    };

    /// <summary>The options of a call relayed to <paramref name="upstream"/> on behalf of the call in <paramref name="context"/>.</summary>
    public CallOptions Outgoing(ServerCallContext context, UpstreamOptions? upstream)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = new Metadata();
        foreach (var entry in context.RequestHeaders)
        {
            if (RelayedHeaders.MayLeaveTheEdge(entry.Key) && !string.Equals(entry.Key, "content-length", StringComparison.OrdinalIgnoreCase))
            {
                headers.Add(entry);
            }
        }
        return Options(headers, context.GetHttpContext().VerifiedCaller(), edge: null, upstream?.DaprAppId, context.Deadline, context.CancellationToken);
    }

    /// <summary>The options of a call the gateway makes itself as <paramref name="caller"/>, asking what <paramref name="edge"/> says (<see cref="EdgeWatch"/>).</summary>
    public CallOptions As(Caller caller, string edge, string? appId, DateTime? deadline, CancellationToken cancellationToken) =>
        Options([], caller, edge, appId, deadline, cancellationToken);

    private CallOptions Options(Metadata headers, Caller? caller, string? edge, string? appId, DateTime? deadline, CancellationToken cancellationToken)
    {
        if (caller is not null)
        {
            headers.Add(GatewayCallerHeader.Name, vouch.Sign(caller, edge));
        }
        if (appId is not null)
        {
            headers.Add("dapr-app-id", appId);
        }
        return new CallOptions(headers, deadline == DateTime.MaxValue ? null : deadline, cancellationToken);
    }

    public void Dispose()
    {
        foreach (var channel in _channels.Values.Concat(_balanced.Values))
        {
            channel.Dispose();
        }
    }
}
