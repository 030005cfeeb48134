using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A server-streaming call in flight: read <see cref="ResponseStream"/> to the end; RpcException carries a failed status.</summary>
public sealed class ServerStreamingCall<TResponse> : RpcCall
    where TResponse : class, IMessage<TResponse>
{
    internal ServerStreamingCall(IClientCall<TResponse> call)
        : base(call) => ResponseStream = new ResponseStreamReader<TResponse>(call);

    /// <summary>The response messages.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }
}
