using Google.Protobuf;
using Grpc.Core;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Gateway.Edge;
using IWouldArgue.Live.Fanout;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// The gateway's shared stream of a discussion when Live tells it to resync (the gateway fell behind it) or it fails:
/// the fanout resumes from the last seq it had, and its watchers see no resync unless resuming cannot continue.
/// Live's side is scripted here (each shared Watch answers with the frames given); the real path is in
/// <see cref="EdgeFanoutTests"/>.
/// </summary>
public sealed class EdgeFanoutResumeTests
{
    private readonly List<ulong> _resumedAfter = [];

    [Fact]
    public async Task WhenLiveTellsTheSharedStreamToResync_ItResumesAfterItsLastSeq_AndTheWatchersGoOnWithoutAResync()
    {
        var (watcher, stream) = Join(
            [Events(1, 2), Events(3), Resync(3)],
            [Events(4), Events(5)]);

        await stream.UntilAsync(s => s.Seqs.Count == 5);

        Assert.Equal([1UL, 2, 3, 4, 5], stream.Seqs);
        Assert.Equal([0UL, 3], _resumedAfter);
        Assert.Equal(0, stream.Resyncs);
        Assert.False(watcher.Ended.IsCompleted);
    }

    [Fact]
    public async Task WhenResumingBringsNothingThreeTimesInARow_TheWatchersAreToldToResync()
    {
        var (watcher, stream) = Join([Events(1), Unavailable()], [Unavailable()], [Unavailable()], [Unavailable()], [Events(2)]);

        var end = await watcher.Ended.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WatcherEndKind.Resync, end.Kind);
        Assert.Equal(1, stream.Resyncs);
        Assert.Equal([1UL], stream.Seqs);
        Assert.Equal([0UL, 1, 1, 1], _resumedAfter); // the first call, then three resumptions that brought nothing
    }

    [Fact]
    public async Task WhenLiveAnswersTheResumptionWithASnapshot_TheWatchersAreToldToResync()
    {
        var (watcher, stream) = Join([Events(1), Resync(1)], [new WatchResponse { Snapshot = new Snapshot() }]);

        var end = await watcher.Ended.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(WatcherEndKind.Resync, end.Kind);
        Assert.Equal([1UL], stream.Seqs);
        Assert.Equal(1, stream.Resyncs);
    }

    // One watcher of a new fanout whose shared Watches answer, one after another, with the scripts given (a null frame
    // fails the call UNAVAILABLE); the last script's stream stays open.
    private (Watcher Watcher, RecordingStream Stream) Join(params WatchResponse?[][] scripts)
    {
        var stream = new RecordingStream();
        var watcher = new Watcher("u1", stream, new DefaultHttpContext(), bound: 64, grace: TimeSpan.FromSeconds(10), writtenThrough: 0);
        var left = new Queue<WatchResponse?[]>(scripts);
        Assert.True(new EdgeFanouts(NullLogger<EdgeFanout>.Instance).Join("d1", watcher, 0, (after, stop) =>
        {
            lock (_resumedAfter)
            {
                _resumedAfter.Add(after);
            }
            return Scripted(left.Dequeue(), holdOpen: left.Count == 0, stop);
        }, out _));
        return (watcher, stream);
    }

    private static WatchResponse Events(params ulong[] seqs)
    {
        var batch = new EventBatch();
        batch.Events.Add(seqs.Select(seq => new DiscussionEvent { DiscussionId = "d1", Seq = seq, CommentPosted = new CommentPosted { Comment = new Comment { Text = $"c{seq}" } } }));
        return new WatchResponse { Events = batch };
    }

    private static WatchResponse Resync(ulong last) => new() { Resync = new Resync { LastDeliveredSeq = last, Reason = "this stream fell behind" } };

    private static WatchResponse? Unavailable() => null;

    private static AsyncServerStreamingCall<WatchResponse> Scripted(WatchResponse?[] frames, bool holdOpen, CancellationToken stop) =>
        new(new ScriptedReader(frames, holdOpen, stop), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    private sealed class ScriptedReader(WatchResponse?[] frames, bool holdOpen, CancellationToken stop) : IAsyncStreamReader<WatchResponse>
    {
        private int _next;

        public WatchResponse Current { get; private set; } = null!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (_next < frames.Length)
            {
                Current = frames[_next++] ?? throw new RpcException(new Status(StatusCode.Unavailable, "the live server went away"));
                return true;
            }
            if (holdOpen)
            {
                await Task.Delay(Timeout.Infinite, stop);
            }
            return false;
        }
    }

    /// <summary>A watcher's response stream: the seqs of the events written to it, and how many resyncs.</summary>
    private sealed class RecordingStream : IServerStreamWriter<WatchResponse>
    {
        private readonly List<ulong> _seqs = [];
        private int _resyncs;

        public List<ulong> Seqs
        {
            get
            {
                lock (_seqs)
                {
                    return [.. _seqs];
                }
            }
        }

        public int Resyncs => Volatile.Read(ref _resyncs);

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(WatchResponse message) => WriteAsync(message, CancellationToken.None);

        public Task WriteAsync(WatchResponse message, CancellationToken cancellationToken)
        {
            // Read as a client reads it: from its bytes (a frame for many watchers is written as bytes made once).
            message = WatchResponse.Parser.ParseFrom(message.ToByteArray());
            lock (_seqs)
            {
                _seqs.AddRange(message.Events?.Events.Select(e => e.Seq) ?? []);
            }
            if (message.FrameCase == WatchResponse.FrameOneofCase.Resync)
            {
                Interlocked.Increment(ref _resyncs);
            }
            return Task.CompletedTask;
        }

        public async Task UntilAsync(Func<RecordingStream, bool> done)
        {
            for (var waited = 0; !done(this); waited += 20)
            {
                Assert.True(waited < 10_000, $"written so far: {string.Join(", ", Seqs)}; resyncs: {Resyncs}");
                await Task.Delay(20);
            }
        }
    }
}
