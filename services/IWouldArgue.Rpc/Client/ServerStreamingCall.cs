using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A server-streaming call in flight: read <see cref="ResponseStream"/> to the end; RpcException carries a failed status.</summary>
public sealed class ServerStreamingCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly IClientCall<TResponse> _call;

    internal ServerStreamingCall(IClientCall<TResponse> call)
    {
        _call = call;
        ResponseStream = new ResponseStreamReader<TResponse>(call);
    }

    /// <summary>The response messages.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    /// <summary>The status, once the stream has been read to its end.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers, once the stream has been read to its end.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _call.Dispose();
}
