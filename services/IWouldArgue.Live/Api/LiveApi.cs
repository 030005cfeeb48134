using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Live.Fanout;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Live.Api;

/// <summary>
/// <c>iwouldargue.v1.LiveService</c>. A Watch call first catches up on its own — a snapshot, or the events
/// after the client's resume point, read from the log and written directly — and then joins the
/// discussion's fanout at the sequence it reached; the fanout fills in whatever happened meanwhile, so the
/// stream has no gap and no duplicate at the seam.
/// </summary>
internal sealed partial class LiveApi(LiveHub hub, IDiscussionFeed feed, PresenceTracker presence, CallerResolver callers, IOptions<LiveOptions> options, ILogger<LiveApi> logger) : LiveService.LiveServiceBase
{
    private const int CatchUpPage = 256;
    // A gateway's shared stream serves all its watchers of the discussion: it may fall further behind before a resync.
    private const int SharedQueueFactor = 4;

    public override async Task Watch(WatchRequest request, IServerStreamWriter<WatchResponse> responseStream, ServerCallContext context)
    {
        var discussionId = request.DiscussionId?.Trim() ?? "";
        if (discussionId.Length is 0 or > 128)
        {
            throw RpcErrors.InvalidArgument("discussion_id", discussionId.Length == 0 ? "is required." : "is longer than 128 characters.");
        }
        var caller = callers.Resolve(context, discussionId);
        var cancellation = context.CancellationToken;
        // A gateway's own streams for its fan-out (signed by the gateway, so no one outside can ask for them).
        var edge = context.GetHttpContext().Features.Get<CallerFeature>()?.Edge;
        var shared = edge == EdgeWatch.Shared;
        var access = await feed.GetAccessAsync(discussionId, caller.UserId, cancellation)
            ?? throw RpcErrors.Of(StatusCode.NotFound, "There is no such discussion.");
        if (!access.Member && !shared)
        {
            throw Membership.NotAMember(access.LeftReason);
        }
        if (request.ResumeAfterSeq > access.Discussion.LastSeq)
        {
            throw RpcErrors.InvalidArgument("resume_after_seq", $"is past the discussion's last event ({access.Discussion.LastSeq}).");
        }
        var admission = hub.TryAdmit(discussionId, out var fanout);
        switch (admission)
        {
            case Admission.InstanceFull:
                throw RpcErrors.ResourceExhausted("This server is watching as many streams as it can; try again shortly.", TimeSpan.FromSeconds(5));
            case Admission.DiscussionFull:
                throw RpcErrors.ResourceExhausted("This discussion has as many live viewers as it can take; try again shortly.", TimeSpan.FromSeconds(5));
            case Admission.Stopping:
                throw RpcErrors.Of(StatusCode.Unavailable, "This server is restarting; reconnect.");
        }
        Watcher? watcher = null;
        var counted = false;
        try
        {
            // The shared stream is no person: it counts no presence, and frames for everyone's watchers wait in it.
            counted = shared || await presence.ConnectedAsync(discussionId, caller.UserId, cancellation);
            if (!counted)
            {
                throw RpcErrors.ResourceExhausted($"You already have {options.Value.MaxStreamsPerPerson} live views of this discussion open; close one first.", TimeSpan.FromSeconds(5));
            }
            await fanout!.Ready.WaitAsync(cancellation);
            var catchUp = new CatchUp(caller.UserId, responseStream, feed, discussionId, cancellation);
            await catchUp.StartAsync(request.ResumeAfterSeq, shared ? Role.Attendee : access.Role, options.Value.SnapshotComments);
            while (true)
            {
                if (catchUp.Ended)
                {
                    return;
                }
                var bound = options.Value.WatcherQueueFrames * (shared ? SharedQueueFactor : 1);
                watcher = new Watcher(caller.UserId, responseStream, context.GetHttpContext(), bound, options.Value.SlowWatcherGrace, catchUp.Position, presenceOnly: edge == EdgeWatch.Presence);
                if (await fanout.JoinAsync(watcher, catchUp.Position).WaitAsync(cancellation))
                {
                    if (edge == EdgeWatch.Presence)
                    {
                        // Caught up to here: the gateway's shared stream brings what follows.
                        watcher.OfferMarker(new LiveFrame(new WatchResponse { Heartbeat = new Heartbeat { LastSeq = catchUp.Position, SentAt = Timestamp.FromDateTimeOffset(hub.Clock.GetUtcNow()) } }, 0));
                    }
                    break;
                }
                // The fanout moved past what it keeps in memory while we read: read further, then join again.
                watcher = null;
                await catchUp.ReadOnAsync();
            }
            var end = await watcher.Ended.WaitAsync(cancellation);
            if (end.Kind == WatcherEndKind.Resync)
            {
                Log.Resynced(logger, caller.UserId, discussionId, end.Reason);
            }
            if (end.Kind == WatcherEndKind.Denied)
            {
                throw RpcErrors.Of(StatusCode.PermissionDenied, end.Reason);
            }
        }
        finally
        {
            if (watcher is not null)
            {
                // Its writes may go straight into the response body: none may follow the end of this call.
                await watcher.CloseAsync();
            }
            hub.Release(fanout!, watcher);
            if (counted && !shared)
            {
                presence.Disconnected(discussionId, caller.UserId);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Watch stream of {UserId} in discussion {DiscussionId} told to resync: {Reason}")]
        public static partial void Resynced(ILogger logger, string userId, string discussionId, string reason);
    }

    /// <summary>The part of a Watch call before it joins the fanout: snapshot or resume, then the log up to its tail.</summary>
    private sealed class CatchUp(string userId, IServerStreamWriter<WatchResponse> stream, IDiscussionFeed feed, string discussionId, CancellationToken cancellation)
    {
        public ulong Position { get; private set; }

        /// <summary>The stream has nothing more to carry: the discussion ended, or this watcher left it.</summary>
        public bool Ended { get; private set; }

        public async Task StartAsync(ulong resumeAfter, Role role, int snapshotComments)
        {
            IReadOnlyList<DiscussionEvent>? firstPage = null;
            if (resumeAfter > 0)
            {
                firstPage = await feed.GetEventsAsync(discussionId, resumeAfter, CatchUpPage, cancellation);
                if (firstPage.Count == 0 || firstPage[0].Seq == resumeAfter + 1)
                {
                    Position = resumeAfter;
                }
                else
                {
                    firstPage = null; // the events right after the resume point are no longer kept
                }
            }
            if (firstPage is null)
            {
                var snapshot = await feed.GetSnapshotAsync(discussionId, role, snapshotComments, cancellation);
                snapshot.ResumeExpired = resumeAfter > 0;
                await stream.WriteAsync(new WatchResponse { Snapshot = snapshot }, cancellation);
                Position = snapshot.Seq;
                Ended = snapshot.Discussion.State == DiscussionState.Ended;
            }
            await ReadOnAsync(firstPage);
        }

        /// <summary>Writes logged events after <see cref="Position"/> until the log's tail.</summary>
        public async Task ReadOnAsync(IReadOnlyList<DiscussionEvent>? page = null)
        {
            while (!Ended)
            {
                page ??= await feed.GetEventsAsync(discussionId, Position, CatchUpPage, cancellation);
                if (page.Count == 0)
                {
                    return;
                }
                var batch = new EventBatch();
                batch.Events.Add(page);
                await stream.WriteAsync(new WatchResponse { Events = batch }, cancellation);
                Position = page[^1].Seq;
                if (StreamEnds.Of(page, userId) is { } end)
                {
                    Ended = true;
                    if (end.Kind == WatcherEndKind.Denied)
                    {
                        throw RpcErrors.Of(StatusCode.PermissionDenied, end.Reason);
                    }
                }
                if (page.Count < CatchUpPage)
                {
                    return;
                }
                page = null;
            }
        }
    }
}
