using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A client-streaming call in flight: write requests, complete the stream, then await the response.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : RpcCall
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    internal ClientStreamingCall(ClientCall<TRequest, TResponse> call)
        : base(call)
    {
        RequestStream = call.RequestStream!;
        ResponseAsync = call.ReadSingleAsync();
    }

    /// <summary>Where the request messages go.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response message.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Lets the call be awaited directly.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
}
