using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// LiveService in the mesh: each Watch goes to the Live instance that owns its discussion (rendezvous
/// hashing over the instances registered in the state store, <see cref="LiveRoutes.OwnerOfAsync"/>), so
/// a discussion's watchers share one instance and one comment costs one publish. With no instance
/// registered yet, the configured Live address serves. When the owner dies, its streams end, the
/// clients resume, and the next pick skips the instance whose registration lapsed.
/// </summary>
internal sealed class RoutedLive(LiveRoutes routes, UpstreamCalls calls, IOptions<UpstreamsOptions> options) : LiveService.LiveServiceBase
{
    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context)
    {
        var fallback = options.Value.Live;
        var owner = string.IsNullOrWhiteSpace(request.DiscussionId) ? null : await routes.OwnerOfAsync(request.DiscussionId, context.CancellationToken);
        var channel = owner is { Address: { Length: > 0 } address } ? calls.ChannelTo(new Uri(address))
            : fallback is not null ? calls.ChannelTo(fallback)
            : throw RpcErrors.Of(StatusCode.Unavailable, "No live server is available right now; reconnect shortly.");
        var upstream = new LiveService.LiveServiceClient(channel).Watch(request, calls.Outgoing(context, owner is null ? fallback : null));
        await GrpcForwarder.RelayAsync(upstream, responseStream, context, LiveService.Descriptor.FullName);
    }
}
