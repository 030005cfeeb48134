using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Testing;

/// <summary>
/// How a client reaches a cluster: one channel per gateway. A client that loses its gateway goes to the next one, as a
/// browser behind a load balancer would.
/// </summary>
public sealed class GatewayChannels(IEnumerable<Uri> gateways) : IDisposable
{
    private readonly GrpcChannel[] _channels = [.. gateways.Select(g => GrpcChannel.ForAddress(g))];

    /// <summary>How many gateways there are.</summary>
    public int Count => _channels.Length;

    /// <summary>The channel to gateway <paramref name="turn"/> (modulo the count).</summary>
    public GrpcChannel this[int turn] => _channels[(int)((uint)turn % (uint)_channels.Length)];

    /// <summary>Call options carrying an access token.</summary>
    public static CallOptions Bearer(string token, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
        new(new Metadata { { "authorization", "Bearer " + token } }, deadline, cancellationToken);

    public void Dispose()
    {
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
    }
}

/// <summary>A comment the service acknowledged: its id and seq, when it was sent and when the answer came.</summary>
public sealed record AckedComment(string DiscussionId, string CommentId, ulong Seq, long SentAt, long AckedAt);

/// <summary>
/// Posts a comment every <paramref name="interval"/> until stopped; a failed post is not retried (it may or may not
/// have been stored: only acknowledged comments are promised), the next goes through the next gateway.
/// </summary>
public sealed class CommentPoster(GatewayChannels gateways, int firstGateway, string discussionId, string token, TimeSpan interval)
{
    private readonly ConcurrentQueue<AckedComment> _acked = new();
    private int _failures;

    /// <summary>The acknowledged comments, in the order acknowledged.</summary>
    public IReadOnlyCollection<AckedComment> Acked => _acked;

    /// <summary>Posts that failed (transport or status).</summary>
    public int Failures => _failures;

    /// <summary>Posts until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var turn = firstGateway;
        for (var n = 0; !stop.IsCancellationRequested; n++)
        {
            var client = new DiscussionsService.DiscussionsServiceClient(gateways[turn]);
            var sentAt = Stopwatch.GetTimestamp();
            try
            {
                var posted = await client.PostCommentAsync(new PostCommentRequest { DiscussionId = discussionId, Text = $"comment {n} from {token.GetHashCode():x8}" },
                    GatewayChannels.Bearer(token, DateTime.UtcNow.AddSeconds(10), CancellationToken.None)); // a post under way finishes: it is acknowledged or not
                _acked.Enqueue(new AckedComment(discussionId, posted.Comment.CommentId, posted.Comment.Seq, sentAt, Stopwatch.GetTimestamp()));
            }
            catch (RpcException)
            {
                Interlocked.Increment(ref _failures);
                turn++;
            }
            try
            {
                await Task.Delay(interval, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>
/// Watches one discussion through the gateways for as long as asked, as the web client does: on any end (error,
/// resync, a gateway gone) it reconnects, to the next gateway when the call failed, resuming after the last seq it
/// saw. It checks what it gets: every event's seq exactly one after the previous (no gap, repeat or reordering),
/// and keeps the comments with when they arrived.
/// </summary>
public sealed class SeqWatcher(GatewayChannels gateways, int firstGateway, string discussionId, string token)
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, long> _comments = new();
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly ConcurrentQueue<(long BrokenAt, TimeSpan Length)> _outages = new();
    private ulong _last;

    /// <summary>The discussion watched.</summary>
    public string DiscussionId => discussionId;

    /// <summary>Completes when the first snapshot arrived.</summary>
    public Task Ready => _ready.Task;

    /// <summary>The seq of the first snapshot: every event after it must arrive.</summary>
    public ulong StartSeq { get; private set; }

    /// <summary>The last seq received.</summary>
    public ulong LastSeq => Volatile.Read(ref _last);

    /// <summary>Comment ids received, with the timestamp (<see cref="Stopwatch"/>) they arrived at.</summary>
    public IReadOnlyDictionary<string, long> Comments => _comments;

    /// <summary>Everything that broke the stream's promise (gaps, repeats, reordering, a second snapshot).</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    /// <summary>For each interruption: when the stream failed (a <see cref="Stopwatch"/> timestamp) and how long until the next frame.</summary>
    public IReadOnlyCollection<(long BrokenAt, TimeSpan Length)> Outages => _outages;

    /// <summary>Streams that ended (errors, resyncs, gateways or instances gone) and were resumed.</summary>
    public int Reconnects { get; private set; }

    /// <summary>Watches until <paramref name="stop"/>.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        var turn = firstGateway;
        long? brokenAt = null;
        while (!stop.IsCancellationRequested)
        {
            var client = new LiveService.LiveServiceClient(gateways[turn]);
            try
            {
                using var call = client.Watch(new WatchRequest { DiscussionId = discussionId, ResumeAfterSeq = LastSeq }, GatewayChannels.Bearer(token, cancellationToken: stop));
                await foreach (var frame in call.ResponseStream.ReadAllAsync(stop))
                {
                    if (brokenAt is { } since)
                    {
                        _outages.Enqueue((since, Stopwatch.GetElapsedTime(since)));
                        brokenAt = null;
                    }
                    if (!Take(frame))
                    {
                        break;
                    }
                }
            }
            catch (RpcException) when (!stop.IsCancellationRequested)
            {
                turn++;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException)
            {
                return;
            }
            brokenAt ??= Stopwatch.GetTimestamp();
            Reconnects++;
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    // False when the stream should be left (a resync).
    private bool Take(WatchResponse frame)
    {
        switch (frame.FrameCase)
        {
            case WatchResponse.FrameOneofCase.Snapshot when LastSeq == 0:
                StartSeq = frame.Snapshot.Seq;
                Volatile.Write(ref _last, frame.Snapshot.Seq);
                _ready.TrySetResult();
                return true;
            case WatchResponse.FrameOneofCase.Snapshot:
                _violations.Enqueue($"a snapshot at {frame.Snapshot.Seq} while resuming after {LastSeq}");
                return true;
            case WatchResponse.FrameOneofCase.Events:
                foreach (var e in frame.Events.Events)
                {
                    if (e.Seq != LastSeq + 1)
                    {
                        _violations.Enqueue($"seq {e.Seq} after {LastSeq}");
                    }
                    if (e.Seq > LastSeq)
                    {
                        Volatile.Write(ref _last, e.Seq);
                    }
                    if (e.CommentPosted is { Comment: { } comment } && !_comments.TryAdd(comment.CommentId, Stopwatch.GetTimestamp()))
                    {
                        _violations.Enqueue($"comment {comment.CommentId} (seq {e.Seq}) a second time");
                    }
                }
                return true;
            case WatchResponse.FrameOneofCase.Resync:
                return false;
            default:
                return true;
        }
    }
}
