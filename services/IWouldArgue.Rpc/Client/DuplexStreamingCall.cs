using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A bidirectional call in flight: write requests and read responses at the same time.</summary>
public sealed class DuplexStreamingCall<TRequest, TResponse> : RpcCall
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal DuplexStreamingCall(ClientCall<TRequest, TResponse> call)
        : base(call)
    {
        RequestStream = call.RequestStream!;
        ResponseStream = new ResponseStreamReader<TResponse>(call);
    }

    /// <summary>Where the request messages go.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response messages.</summary>
    public IAsyncStreamReader<TResponse> ResponseStream { get; }
}
