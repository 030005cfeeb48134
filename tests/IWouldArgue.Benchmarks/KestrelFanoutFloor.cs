using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Pipelines;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The floor under any fan-out served by Kestrel over HTTP/2, run by bench/fanout.sh beside ours and
/// nats-server: the RPC paths the fan-out load tool calls, answered with the least work Kestrel allows.
/// Each PostComment's text is framed once as a WatchResponse and written and flushed to every Watch stream
/// of its discussion before the call is answered: no batching window, no event log, no pub/sub, no
/// per-watcher queue, no resume, no heartbeats, no auth. A stream whose previous flush has not finished
/// misses the frame (so a floor that falls behind shows it as lost deliveries, not as queueing).
/// What ours costs beyond this is what our fan-out adds; what this costs beyond nats-server is HTTP/2 in Kestrel.
/// </summary>
internal static class KestrelFanoutFloor
{
    private const string Discussions = "/iwouldargue.v1.DiscussionsService/";
    private static readonly byte[] Opened = BareKestrel.Frame(new WatchResponse { Heartbeat = new Heartbeat() });

    public static async Task<int> RunAsync(int port)
    {
        var app = SlimHost.Create(port).Build();
        var rooms = new ConcurrentDictionary<string, Room>(StringComparer.Ordinal);
        var created = 0;
        Unary(app, "CreateDiscussion", CreateDiscussionRequest.Parser, _ =>
        {
            var id = $"floor-{Interlocked.Increment(ref created):D6}";
            rooms[id] = new Room();
            return new CreateDiscussionResponse { Discussion = new Discussion { DiscussionId = id, InviteCode = id } };
        });
        Unary(app, "StartDiscussion", StartDiscussionRequest.Parser, _ => new StartDiscussionResponse());
        Unary(app, "JoinDiscussion", JoinDiscussionRequest.Parser, _ => new JoinDiscussionResponse());
        Unary(app, "PostComment", PostCommentRequest.Parser, request =>
        {
            var comment = new Comment { Text = request.Text };
            rooms[request.DiscussionId].Broadcast(BareKestrel.Frame(new WatchResponse
            {
                Events = new EventBatch { Events = { new DiscussionEvent { DiscussionId = request.DiscussionId, CommentPosted = new CommentPosted { Comment = comment } } } },
            }));
            return new PostCommentResponse { Comment = comment };
        });
        app.MapPost("/iwouldargue.v1.LiveService/Watch", async context =>
        {
            var request = WatchRequest.Parser.ParseFrom((await BareKestrel.ReadAll(context.Request.Body)).AsSpan(5));
            context.Response.ContentType = "application/grpc";
            // A first message, as ours sends its snapshot first: the load tool counts a stream open from its first DATA.
            await context.Response.Body.WriteAsync(Opened);
            await context.Response.Body.FlushAsync();
            var room = rooms[request.DiscussionId];
            var watcher = new Watcher(context.Response.BodyWriter);
            room.Add(watcher);
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                // The watcher went away.
            }
            room.Remove(watcher);
        });
        await app.RunAsync();
        return 0;
    }

    private static void Unary<TRequest, TResponse>(WebApplication app, string method, MessageParser<TRequest> parser, Func<TRequest, TResponse> answer)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        app.MapPost(Discussions + method, async context =>
        {
            var request = parser.ParseFrom((await BareKestrel.ReadAll(context.Request.Body)).AsSpan(5));
            var response = BareKestrel.Frame(answer(request));
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(response);
            context.Response.AppendTrailer("grpc-status", "0");
        });
    }

    private sealed class Watcher(PipeWriter writer)
    {
        private Task? _pending;

        public void Write(byte[] frame)
        {
            if (_pending is { IsCompleted: false })
            {
                return;
            }
            writer.Write(frame);
            var flush = writer.FlushAsync();
            _pending = flush.IsCompletedSuccessfully ? null : flush.AsTask();
        }
    }

    private sealed class Room
    {
        private readonly Lock _lock = new();
        private readonly List<Watcher> _watchers = [];

        public void Add(Watcher watcher)
        {
            lock (_lock)
            {
                _watchers.Add(watcher);
            }
        }

        public void Remove(Watcher watcher)
        {
            lock (_lock)
            {
                _watchers.Remove(watcher);
            }
        }

        public void Broadcast(byte[] frame)
        {
            lock (_lock)
            {
                foreach (var watcher in _watchers)
                {
                    watcher.Write(frame);
                }
            }
        }
    }
}
