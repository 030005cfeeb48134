using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>A unary call in flight. Await it for the response; RpcException carries a failed status.</summary>
public sealed class UnaryCall<TResponse> : RpcCall
    where TResponse : class, IMessage<TResponse>
{
    internal UnaryCall(IClientCall<TResponse> call)
        : base(call) => ResponseAsync = call.ReadSingleAsync();

    /// <summary>The response message.</summary>
    public Task<TResponse> ResponseAsync { get; }

    /// <summary>Lets the call be awaited directly.</summary>
    public TaskAwaiter<TResponse> GetAwaiter() => ResponseAsync.GetAwaiter();
}
