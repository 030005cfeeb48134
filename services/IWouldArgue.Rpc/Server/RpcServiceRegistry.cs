using System.Collections.Concurrent;
using Google.Protobuf.Reflection;

namespace IWouldArgue.Rpc.Server;

/// <summary>The services this server has mapped: what reflection lists and health knows.</summary>
internal sealed class RpcServiceRegistry
{
    private readonly ConcurrentDictionary<string, ServiceDescriptor> _services = new(StringComparer.Ordinal);

    public IEnumerable<ServiceDescriptor> Services => _services.Values.OrderBy(s => s.FullName, StringComparer.Ordinal);

    public bool FallbackMapped { get; set; }

    public bool Add(ServiceDescriptor service) => _services.TryAdd(service.FullName, service);

    public bool Contains(string serviceName) => _services.ContainsKey(serviceName);
}
