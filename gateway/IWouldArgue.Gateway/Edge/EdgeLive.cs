using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Live;
using IWouldArgue.Live.Fanout;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// LiveService in the mesh, fanned out at the edge. A Watch goes to the Live instance that owns its discussion
/// (rendezvous hashing over the instances registered in the state store, <see cref="LiveRoutes.OwnerOfAsync"/>; with
/// none registered yet, the configured Live address) in two parts: the person's own stream
/// (<see cref="EdgeWatch.Presence"/>) checks them, catches them up (snapshot or resume) and is relayed until it marks
/// the seq it reached; from there the discussion's ONE shared stream on this gateway (<see cref="EdgeFanout"/>) brings
/// the events, while the person's stream stays open, quiet, holding their presence and ending if they are removed.
/// So Live writes each frame once per gateway, not once per person. When the owner dies, both streams end, the
/// browser is told to resync or sees UNAVAILABLE, and its next Watch follows the new owner.
/// </summary>
internal sealed partial class EdgeLive(LiveRoutes routes, UnreachableInstances unreachable, UpstreamCalls calls, EdgeFanouts fanouts, IOptions<UpstreamsOptions> upstreams, IOptions<LiveOptions> live, ILogger<EdgeLive> logger) : LiveService.LiveServiceBase
{
    // How long a person's stream that ended quietly may wait for the shared stream to bring what ended it.
    private static readonly TimeSpan EndGrace = TimeSpan.FromSeconds(5);

    // How long a person's catch-up (snapshot or resume) may take before the Live server counts as unreachable. Long:
    // a dead connection is found sooner by HTTP/2 keepalive pings, and when 20,000 people arrive at once a snapshot
    // can take tens of seconds on one core; failing them then would only bring them back at once.
    private static readonly TimeSpan CatchUpLimit = TimeSpan.FromMinutes(2);

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var caller = http.VerifiedCaller() ?? throw RpcErrors.Of(StatusCode.Unauthenticated, AuthReasons.SignInFirst, AuthReasons.TokenMissing);
        var fallback = upstreams.Value.Live;
        var owner = string.IsNullOrWhiteSpace(request.DiscussionId) ? null : await OwnerOfAsync(request.DiscussionId, context.CancellationToken);
        var channel = owner is { Address: { Length: > 0 } address } ? calls.ChannelTo(new Uri(address))
            : fallback is not null ? calls.ChannelTo(fallback)
            : throw RpcErrors.Of(StatusCode.Unavailable, "No live server is available right now; reconnect shortly.");
        var appId = owner is null ? fallback?.DaprAppId : null;
        var client = new LiveService.LiveServiceClient(channel);

        using var personal = client.Watch(request, calls.As(caller, EdgeWatch.Presence, appId, context.Deadline, context.CancellationToken));
        // An owner that cannot be reached is skipped by this gateway's next routing: the client's retry resumes on the next
        // instance rather than wait for the dead one's registration to lapse.
        void Unreachable()
        {
            if (owner is { InstanceId: var id })
            {
                unreachable.Mark(id);
            }
        }
        var (position, caughtUp) = await CatchUpAsync(personal, responseStream, request.ResumeAfterSeq, context, Unreachable, logger);
        if (!caughtUp)
        {
            return; // the person's stream ended on its own (an ended discussion); its status was relayed
        }

        var watcher = new Watcher(caller.UserId, responseStream, http, live.Value.WatcherQueueFrames, live.Value.SlowWatcherGrace, position, tier: "edge");
        var shared = new Caller("edge:" + Environment.MachineName, "gateway", Guest: false);
        if (!fanouts.Join(request.DiscussionId, watcher, position, SharedWatch, out var fanout))
        {
            await responseStream.WriteAsync(new WatchResponse { Resync = new Resync { LastDeliveredSeq = position, Reason = "the gateway could not continue from there" } }, context.CancellationToken);
            return;
        }
        try
        {
            var quiet = QuietUntilEndAsync(personal, context.CancellationToken);
            var first = await Task.WhenAny(watcher.Ended, quiet);
            if (first == quiet)
            {
                // The person's stream ended first: removed (PERMISSION_DENIED), the instance stopping, or the discussion
                // ending, whose last events the shared stream may still be bringing.
                var why = await quiet;
                if (why is not null && why.StatusCode != StatusCode.OK)
                {
                    if (IsUnreachable(why) && why.Status.DebugException is not null)
                    {
                        Unreachable(); // the connection failed (not a resync Live asked for)
                    }
                    watcher.EndAfterDrain(why.StatusCode == StatusCode.PermissionDenied
                        ? new WatcherEnd(WatcherEndKind.Denied, why.Status.Detail)
                        : new WatcherEnd(WatcherEndKind.Resync, "the live server went away"));
                }
                else if (await Task.WhenAny(watcher.Ended, Task.Delay(EndGrace, context.CancellationToken)) != watcher.Ended)
                {
                    watcher.EndAfterDrain(new WatcherEnd(WatcherEndKind.Resync, "the live server ended this stream"));
                }
            }
            var end = await watcher.Ended.WaitAsync(context.CancellationToken);
            if (end.Kind == WatcherEndKind.Denied)
            {
                throw RpcErrors.Of(StatusCode.PermissionDenied, end.Reason);
            }
        }
        finally
        {
            await watcher.CloseAsync();
            fanout.Leave(watcher);
        }

        AsyncServerStreamingCall<WatchResponse> SharedWatch(ulong after, CancellationToken stop) =>
            client.Watch(new WatchRequest { DiscussionId = request.DiscussionId, ResumeAfterSeq = after }, calls.As(shared, EdgeWatch.Shared, appId, null, stop));
    }

    // The routing table lives in the state store; when it cannot be read the caller is told to come back, not INTERNAL.
    private async Task<(string InstanceId, string Address)?> OwnerOfAsync(string discussionId, CancellationToken cancellationToken)
    {
        try
        {
            return await routes.OwnerOfAsync(discussionId, unreachable.Contains, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogRoutingUnavailable(logger, e.Message);
            throw RpcErrors.Of(StatusCode.Unavailable, "The live servers cannot be found right now; reconnect shortly.");
        }
    }

    // Relays the person's snapshot and catch-up until the marker (a heartbeat) that says where they were caught up to.
    // A Live server that has not answered within CatchUpLimit is treated as unreachable: the client resumes elsewhere
    // or later, rather than wait on a stream that never starts.
    private static async Task<(ulong Position, bool CaughtUp)> CatchUpAsync(AsyncServerStreamingCall<WatchResponse> personal, IServerStreamWriter<WatchResponse> responses, ulong position, ServerCallContext context, Action unreachable, ILogger logger)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        limit.CancelAfter(CatchUpLimit);
        try
        {
            while (await personal.ResponseStream.MoveNext(limit.Token))
            {
                var frame = personal.ResponseStream.Current;
                switch (frame.FrameCase)
                {
                    case WatchResponse.FrameOneofCase.Heartbeat:
                        return (frame.Heartbeat.LastSeq, true);
                    case WatchResponse.FrameOneofCase.Snapshot:
                        position = frame.Snapshot.Seq;
                        break;
                    case WatchResponse.FrameOneofCase.Events when frame.Events.Events.Count > 0:
                        position = frame.Events.Events[^1].Seq;
                        break;
                }
                await responses.WriteAsync(frame, context.CancellationToken);
            }
            return (position, false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && limit.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
        {
            throw RpcErrors.Of(StatusCode.Unavailable, "The live server did not answer in time; reconnect shortly.");
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !context.CancellationToken.IsCancellationRequested)
        {
            // The person's own refusal (not a member, banned, too many streams, ...) goes to them as it came.
            if (IsUnreachable(e))
            {
                unreachable();
                LogUnreachable(logger, e.Status.Detail, e.Status.DebugException?.Message);
                throw RpcErrors.Of(StatusCode.Unavailable, "The live server cannot be reached right now; reconnect shortly.");
            }
            throw new RpcException(e.Status, e.Trailers);
        }
    }

    // The transport failed (connection refused or lost), as opposed to Live refusing with a status of its own (which
    // carries our error details). The details trailer is binary: Metadata.GetValue would throw on it, so it is looked up
    // as an entry.
    internal static bool IsUnreachable(RpcException e) => e.StatusCode == StatusCode.Unavailable && e.Trailers.Get(RpcErrors.DetailsTrailer) is null;

    // After the marker the person's stream carries nothing; it ends when they may no longer watch or the server goes.
    private static async Task<RpcException?> QuietUntilEndAsync(AsyncServerStreamingCall<WatchResponse> personal, CancellationToken cancellationToken)
    {
        try
        {
            while (await personal.ResponseStream.MoveNext(cancellationToken))
            {
                if (personal.ResponseStream.Current.FrameCase == WatchResponse.FrameOneofCase.Resync)
                {
                    return new RpcException(new Status(StatusCode.Unavailable, "the live server asked for a resync"));
                }
            }
            return null;
        }
        catch (RpcException e)
        {
            return e;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A Watch could not read the Live routing table: {Cause}")]
    private static partial void LogRoutingUnavailable(ILogger logger, string cause);

    [LoggerMessage(Level = LogLevel.Information, Message = "A Watch could not reach Live to catch up: {Detail} ({Cause})")]
    private static partial void LogUnreachable(ILogger logger, string detail, string? cause);
}
