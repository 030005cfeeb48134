using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A client-streaming call in flight: write requests, complete the stream, then await the response.</summary>
public sealed class ClientStreamingCall<TRequest, TResponse> : IDisposable
    where TRequest : class, IMessage<TRequest>
    where TResponse : class, IMessage<TResponse>
{
    private readonly ClientCall<TRequest, TResponse> _call;

    internal ClientStreamingCall(ClientCall<TRequest, TResponse> call)
    {
        _call = call;
        RequestStream = call.RequestStream!;
        ResponseAsync = call.ReadSingleAsync();
    }

    /// <summary>Where the request messages go.</summary>
    public IClientStreamWriter<TRequest> RequestStream { get; }

    /// <summary>The response message.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Lets the call be awaited directly.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    /// <summary>The status, once the call has finished.</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers, once the call has finished.</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running.</summary>
    public void Dispose() => _call.Dispose();
}
