using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Maps every RPC of the services that run apart (<see cref="UpstreamsOptions"/>) onto <see cref="GrpcForwarder"/>.
/// Each service's generated <c>BindService</c> names its methods, so the gateway serves exactly the public
/// contract, with its marshallers, and nothing needs writing per service.
/// </summary>
internal sealed class ForwardedServices(IOptions<UpstreamsOptions> upstreams) : IServiceMethodProvider<GrpcForwarder>
{
    /// <summary>Each service's binder with the upstream that serves it (Live is routed apart, see <see cref="EdgeLive"/>).</summary>
    private IEnumerable<(Action<ServiceBinderBase> Bind, UpstreamOptions? Upstream)> Services()
    {
        var u = upstreams.Value;
        yield return (b => Contracts.V1.IdentityService.BindService(b, null), u.Identity);
        yield return (b => Contracts.V1.DiscussionsService.BindService(b, null), u.Discussions);
        yield return (b => Contracts.V1.MediaService.BindService(b, null), u.Discussions);
        yield return (b => Contracts.V1.AttachmentsService.BindService(b, null), u.Discussions);
        yield return (b => Contracts.V1.ArchiveService.BindService(b, null), u.Discussions);
    }

    public void OnServiceMethodDiscovery(ServiceMethodProviderContext<GrpcForwarder> context)
    {
        foreach (var (bind, upstream) in Services())
        {
            if (upstream is not null)
            {
                bind(new Binder(context, upstream));
            }
        }
    }

    private sealed class Binder(ServiceMethodProviderContext<GrpcForwarder> context, UpstreamOptions upstream) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler) =>
            context.AddUnaryMethod(method, [], (forwarder, request, call) => forwarder.UnaryAsync(upstream, method, request, call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddServerStreamingMethod(method, [], (forwarder, request, responses, call) => forwarder.ServerStreamingAsync(upstream, method, request, responses, call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddClientStreamingMethod(method, [], (forwarder, requests, call) => forwarder.ClientStreamingAsync(upstream, method, requests, call));

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            context.AddDuplexStreamingMethod(method, [], (forwarder, requests, responses, call) => forwarder.DuplexStreamingAsync(upstream, method, requests, responses, call));
    }
}
