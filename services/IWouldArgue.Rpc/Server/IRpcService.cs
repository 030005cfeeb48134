using Google.Protobuf.Reflection;

namespace IWouldArgue.Rpc;

/// <summary>Implemented by every generated service base: how the runtime learns a service's RPCs.</summary>
public interface IRpcService
{
    /// <summary>The service as declared in its .proto file.</summary>
    static abstract ServiceDescriptor Descriptor { get; }

    /// <summary>Registers each RPC of the service with its handler.</summary>
    static abstract void Bind(RpcServiceBinder binder);
}
