using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>
/// A connection to one gRPC server over HTTP/2: h2c with prior knowledge for <c>http://</c> addresses,
/// TLS with ALPN for <c>https://</c>. Connections are pooled and reused across calls; create one
/// channel per server and share it.
/// </summary>
public sealed class RpcChannel : IDisposable
{
    private RpcChannel(Uri address, RpcChannelOptions options)
    {
        Address = address;
        Options = options;
        Http = new HttpClient(options.HttpHandler ?? CreateHandler(), disposeHandler: true)
        {
            Timeout = Timeout.InfiniteTimeSpan,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
    }

    /// <summary>The server's base address.</summary>
    public Uri Address { get; }

    internal RpcChannelOptions Options { get; }

    internal HttpClient Http { get; }

    /// <summary>Creates a channel to the server at <paramref name="address"/>, e.g. "http://127.0.0.1:5001".</summary>
    public static RpcChannel ForAddress(Uri address, RpcChannelOptions? options = null) => new(address, options ?? new RpcChannelOptions());

    /// <summary>Creates a channel to the server at <paramref name="address"/>, e.g. "http://127.0.0.1:5001".</summary>
    public static RpcChannel ForAddress(string address, RpcChannelOptions? options = null) => ForAddress(new Uri(address), options);

    /// <summary>Starts a unary call.</summary>
    public UnaryCall<TResponse> Unary<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(ClientCall<TRequest, TResponse>.Start(this, method, options, request));

    /// <summary>Starts a server-streaming call.</summary>
    public ServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(ClientCall<TRequest, TResponse>.Start(this, method, options, request));

    /// <summary>Starts a client-streaming call.</summary>
    public ClientStreamingCall<TRequest, TResponse> ClientStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(ClientCall<TRequest, TResponse>.Start(this, method, options, request: null));

    /// <summary>Starts a bidirectional-streaming call.</summary>
    public DuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options)
        where TRequest : class, IMessage<TRequest>
        where TResponse : class, IMessage<TResponse> =>
        new(ClientCall<TRequest, TResponse>.Start(this, method, options, request: null));

    /// <inheritdoc/>
    public void Dispose() => Http.Dispose();

    private static SocketsHttpHandler CreateHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        KeepAlivePingDelay = TimeSpan.FromSeconds(60),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
        KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };
}
