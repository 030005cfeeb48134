using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Auth;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using System.Buffers;
using System.IO.Pipelines;

namespace IWouldArgue.Live.Fanout;

/// <summary>One frame for watchers (shared by all of them, never changed once made), and the last event sequence it carries (0: no events).</summary>
internal readonly record struct LiveFrame(WatchResponse Message, ulong Through)
{
    /// <summary>For a frame many watchers get: the message as one gRPC length-prefixed message, made once (<see cref="GrpcMessageFrame"/>).</summary>
    public byte[]? Framed { get; private init; }

    /// <summary>A frame for many watchers: serialized and framed here, once, rather than once per stream it is written to.</summary>
    public static LiveFrame Shared(WatchResponse message, ulong through) => new(message, through) { Framed = GrpcMessageFrame.Of(message) };
}

/// <summary>How a watcher's stream ends.</summary>
internal enum WatcherEndKind
{
    /// <summary>It fell behind (or the instance is stopping): a resync frame was sent, the client resumes from the log.</summary>
    Resync,
    /// <summary>The discussion ended; everything up to the end was sent.</summary>
    Completed,
    /// <summary>The watcher was removed or banned.</summary>
    Denied,
    /// <summary>The peer is gone (reset, write failure).</summary>
    Gone,
}

/// <summary>Why and how a watcher's stream ended.</summary>
internal sealed record WatcherEnd(WatcherEndKind Kind, string Reason);

/// <summary>
/// One Watch stream. The discussion's pump hands it frames with <see cref="Offer"/>, which never waits: a
/// frame is written at once when the stream is idle (usually completing synchronously into the HTTP/2
/// stream's buffer), or queued behind the write in progress. A queue longer than the bound means the peer
/// is not reading; the watcher then stops taking frames, sends a resync marker once its last write lands
/// and ends — or, if that write never lands within the grace period, its stream is reset. Either way no
/// one else waits for it. The Watch method must <see cref="CloseAsync"/> the watcher before it returns, so
/// that nothing writes to a call that has ended.
/// </summary>
internal sealed class Watcher
{
    // HTTP/2's REFUSED_STREAM error code (RFC 9113, section 7).
    private const int RefusedStream = 0x7;

    private readonly IServerStreamWriter<WatchResponse> _stream;
    private readonly HttpContext _http;
    // Read once: each read of HttpContext.RequestAborted goes through Kestrel's request-lifetime feature (1-2% of
    // the samples in a profile of the fan-out), and every frame made for many watchers checks it.
    private readonly CancellationToken _aborted;
    private readonly int _bound;
    private readonly TimeSpan _grace;
    private readonly Lock _lock = new();
    private readonly Queue<LiveFrame> _queue = new();
    private readonly TaskCompletionSource<WatcherEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _writing;
    private bool _closed;
    private TaskCompletionSource? _idle;
    private WatcherEnd? _endAfterDrain;
    private ulong _writtenThrough;
    private LiveFrame _inFlight;
    private readonly bool _presenceOnly;
    private readonly string _tier;

    /// <param name="tier">Where the watcher is, for the deliveries metric: "live" on a Live instance, "edge" on a gateway.</param>
    public Watcher(string userId, IServerStreamWriter<WatchResponse> stream, HttpContext http, int bound, TimeSpan grace, ulong writtenThrough, bool presenceOnly = false, string tier = "live")
    {
        _presenceOnly = presenceOnly;
        _tier = tier;
        UserId = userId;
        ConnectionId = http.Connection.Id;
        _stream = stream;
        _http = http;
        _aborted = http.RequestAborted;
        _bound = bound;
        _grace = grace;
        _writtenThrough = writtenThrough;
        SentThrough = writtenThrough;
    }

    /// <summary>The watching user.</summary>
    public string UserId { get; }

    /// <summary>The connection the stream rides (HTTP/2 multiplexes many on one).</summary>
    public string ConnectionId { get; }

    /// <summary>The last sequence handed to this watcher (owned by the discussion's pump).</summary>
    public ulong SentThrough { get; set; }

    /// <summary>Completes when the stream should end, saying how.</summary>
    public Task<WatcherEnd> Ended => _ended.Task;

    /// <summary>Queues or writes a frame; never waits. A presence-only watcher (<see cref="EdgeWatch.Presence"/>) takes none.</summary>
    public void Offer(LiveFrame frame)
    {
        if (!_presenceOnly)
        {
            Take(frame);
        }
    }

    /// <summary>Queues or writes a frame even to a presence-only watcher: the marker that says where it was caught up to.</summary>
    public void OfferMarker(LiveFrame frame) => Take(frame);

    private void Take(LiveFrame frame)
    {
        lock (_lock)
        {
            if (_closed || _endAfterDrain is not null || _ended.Task.IsCompleted)
            {
                return;
            }
            if (_writing)
            {
                if (_queue.Count >= _bound)
                {
                    _queue.Clear();
                    _endAfterDrain = new WatcherEnd(WatcherEndKind.Resync, "watcher fell behind");
                    ResetIfStuck();
                    return;
                }
                _queue.Enqueue(frame);
                return;
            }
            _writing = true;
        }
        Write(frame, more: false); // it was idle, so nothing is queued behind this frame
    }

    /// <summary>Ends the stream once what was offered before has been written.</summary>
    public void EndAfterDrain(WatcherEnd end)
    {
        bool idle;
        lock (_lock)
        {
            if (_closed || _endAfterDrain is not null || _ended.Task.IsCompleted)
            {
                return;
            }
            _endAfterDrain = end;
            idle = !_writing;
            if (idle)
            {
                _writing = true;
            }
            else
            {
                ResetIfStuck();
            }
        }
        if (idle)
        {
            Finish();
        }
    }

    /// <summary>Ends the stream now: the peer went away.</summary>
    public void Abandon() => _ended.TrySetResult(new WatcherEnd(WatcherEndKind.Gone, "the peer went away"));

    /// <summary>
    /// Takes no more frames and completes once no write is in progress. After it nothing of this watcher
    /// touches the call's response, which the Watch method may then end.
    /// </summary>
    public Task CloseAsync()
    {
        lock (_lock)
        {
            _closed = true;
            _queue.Clear();
            return _writing ? (_idle ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task : Task.CompletedTask;
        }
    }

    // A frame with more queued behind it is written without a flush; the last one written flushes them all. A watcher
    // that keeps up has nothing queued and flushes every frame, as before; one that fell behind (its queue filled while a
    // write waited) catches up with one flush for its whole backlog, one HTTP/2 DATA frame instead of one per frame, so
    // a fan-out that falls behind gets cheaper per delivery instead of dearer, and can catch up.
    private void Write(LiveFrame frame, bool more)
    {
        while (true)
        {
            var write = Send(frame, flush: !more);
            if (!write.IsCompleted)
            {
                _inFlight = frame;
                write.ContinueWith(static (t, state) => ((Watcher)state!).AfterAsyncWrite(t), this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return;
            }
            if (!write.IsCompletedSuccessfully)
            {
                StopWriting(abandon: true);
                return;
            }
            CountDelivered(frame);
            if (!TryTakeNext(frame.Through, out frame, out more))
            {
                return;
            }
        }
    }

    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    // One write to the stream; it fails when the peer is gone. Unflushed, it stays in the response until a later write
    // flushes (or the call ends). Written without a cancellation token: registering one on every write was 5% of the
    // gateway's samples in the tier bench, and it adds nothing, since a stream the peer resets or leaves is aborted by
    // Kestrel, which ends the write in progress, and a stuck one is reset by ResetIfStuck.
    private Task Send(LiveFrame frame, bool flush = true) =>
        frame.Framed is { } framed && _http.Response.HasStarted ? SendFramed(framed, flush) : Send(frame.Message, flush);

    private Task Send(WatchResponse message, bool flush = true)
    {
        try
        {
            _stream.WriteOptions = flush ? null : Buffered;
            return _stream.WriteAsync(message);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    // A frame made once for many watchers goes into the response body as it is: grpc-dotnet has no way to write a message
    // already serialized. Its writer (serializer, serialization context, flush) took 29% of the gateway's samples in the
    // tier bench, where each frame goes to a thousand streams; this write and flush take 20% (run notes in
    // bench/results/edge-fanout-20261207T201714Z.md and ...203843Z.md). The bytes are what grpc-dotnet writes to the
    // same body for the message (gRPC-Web's middleware wraps the body and encodes them as it encodes any): the response
    // has started (its headers went out with the first message, which grpc-dotnet wrote), a message flagged uncompressed
    // is valid whatever encoding the call settled on, and this watcher's writes never overlap nor outlive the call
    // (CloseAsync). A body whose reader has gone, or a call already aborted, fails the write as grpc-dotnet's would.
    private Task SendFramed(byte[] framed, bool flush)
    {
        try
        {
            if (_aborted.IsCancellationRequested)
            {
                return Task.FromException(new InvalidOperationException("The call is over."));
            }
            var body = _http.Response.BodyWriter;
            body.Write(framed);
            if (!flush)
            {
                return Task.CompletedTask;
            }
            var flushing = body.FlushAsync();
            return flushing.IsCompletedSuccessfully ? Flushed(flushing.Result) : AwaitFlush(flushing);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }

        static async Task AwaitFlush(ValueTask<FlushResult> flushing) => await Flushed(await flushing.ConfigureAwait(false)).ConfigureAwait(false);

        static Task Flushed(FlushResult result) => result.IsCanceled || result.IsCompleted
            ? Task.FromException(new InvalidOperationException("The response body no longer takes writes."))
            : Task.CompletedTask;
    }

    private void AfterAsyncWrite(Task write)
    {
        if (!write.IsCompletedSuccessfully)
        {
            StopWriting(abandon: true);
            return;
        }
        CountDelivered(_inFlight);
        if (TryTakeNext(_inFlight.Through, out var next, out var more))
        {
            Write(next, more);
        }
    }

    private void CountDelivered(LiveFrame frame)
    {
        if (frame.Message.Events is { } batch)
        {
            ProductMetrics.Deliveries.Add(batch.Events.Count, new KeyValuePair<string, object?>("tier", _tier));
        }
    }

    // The last write of this watcher is over: whoever waits to close it may go on.
    private void StopWriting(bool abandon)
    {
        if (abandon)
        {
            Abandon();
        }
        lock (_lock)
        {
            _writing = false;
            _idle?.TrySetResult();
        }
    }

    /// <summary>
    /// Records a finished write and takes the next frame (<paramref name="more"/>: others still queued behind it), or goes
    /// idle (finishing the stream if it should end).
    /// </summary>
    private bool TryTakeNext(ulong written, out LiveFrame next, out bool more)
    {
        bool finish;
        lock (_lock)
        {
            if (written > _writtenThrough)
            {
                _writtenThrough = written;
            }
            if (!_closed && _endAfterDrain is null && _queue.TryDequeue(out next))
            {
                more = _queue.Count > 0;
                return true;
            }
            next = default;
            more = false;
            finish = !_closed && _endAfterDrain is not null;
            _writing = finish;
            if (!_writing)
            {
                _idle?.TrySetResult();
            }
        }
        if (finish)
        {
            Finish();
        }
        return false;
    }

    // Runs with _writing set, so nothing else writes: the resync marker is the last frame.
    private void Finish()
    {
        var end = _endAfterDrain!;
        if (end.Kind != WatcherEndKind.Resync)
        {
            _ended.TrySetResult(end);
            StopWriting(abandon: false);
            return;
        }
        var marker = new WatchResponse { Resync = new Resync { LastDeliveredSeq = _writtenThrough, Reason = end.Reason } };
        ProductMetrics.Resyncs.Add(1);
        Send(marker).ContinueWith(static (t, state) =>
        {
            var self = (Watcher)state!;
            if (t.IsCompletedSuccessfully)
            {
                self._ended.TrySetResult(self._endAfterDrain!);
            }
            self.StopWriting(abandon: true);
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    // A peer that reads nothing never lets the write in progress finish, so no status can follow it; after the
    // grace period its stream is reset, which fails that write and ends the call. The reset says REFUSED_STREAM,
    // which gRPC clients report as UNAVAILABLE, the status our error model tells them to resume on (a plain abort
    // says INTERNAL_ERROR: INTERNAL, "a bug on our side"). Without HTTP/2 (gRPC-Web over HTTP/1.1) the connection
    // is closed. Under the lock, so that a closed watcher (whose call may have ended, its context gone back to the
    // server) is never touched.
    private void ResetIfStuck() =>
        _ = Task.Delay(_grace).ContinueWith(static (_, state) =>
        {
            var self = (Watcher)state!;
            lock (self._lock)
            {
                if (self._closed || self._ended.Task.IsCompleted)
                {
                    return;
                }
                if (self._http.Features.Get<IHttpResetFeature>() is { } reset)
                {
                    reset.Reset(RefusedStream);
                }
                else
                {
                    self._http.Abort();
                }
            }
            self.Abandon();
        }, this, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
