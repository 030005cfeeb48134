using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A unary call in flight. Await it for the response; RpcException carries a failed status.</summary>
public sealed class UnaryCall<TResponse> : IDisposable
    where TResponse : class, IMessage<TResponse>
{
    private readonly IClientCall<TResponse> _call;

    internal UnaryCall(IClientCall<TResponse> call)
    {
        _call = call;
        ResponseAsync = call.ReadSingleAsync();
    }

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
