using System.Buffers;
using IWouldArgue.Auth;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Live.Fanout;
using Grpc.Core;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// One discussion's watchers on this gateway, fed by ONE shared Watch to the Live instance that owns the discussion
/// (<see cref="EdgeWatch.Shared"/>): each frame that arrives is offered, as it is, to every local watcher (Live's
/// <see cref="Watcher"/>: bounded queue, resync for the slow), so Live writes each frame once per gateway instead of
/// once per person. A watcher joins at the seq its own catch-up reached; the last frames are kept so one that
/// caught up a little behind the shared stream still continues without a gap (or is told to resync when it cannot).
/// When Live tells the shared stream to resync (this gateway fell behind it), or the stream ends or fails, the fanout
/// resumes it from the last seq it had, so its watchers see a pause, not a resync: one slow moment of the gateway must
/// not send a thousand browsers back for snapshots, which would make it slower still. Only when resuming cannot
/// continue (Live answers with a snapshot: the point is no longer kept) or fails <see cref="Resumes"/> times in a row
/// without a new event is every watcher told to resync; the next one to arrive starts another fanout.
/// </summary>
// _stop has no timer and its only registration (the shared call) ends with the pump, so nothing needs disposing; a
// Dispose racing Leave's Cancel would only add a way to fail.
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "See the comment above.")]
internal sealed partial class EdgeFanout
{
    private const int KeptFrames = 64;
    private readonly Lock _lock = new();
    private readonly List<Watcher> _watchers = [];
    private readonly LinkedList<(ulong First, LiveFrame Frame)> _recent = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly EdgeFanouts _owner;
    private readonly ILogger _logger;
    private ulong _through;
    private bool _over;

    public EdgeFanout(EdgeFanouts owner, string discussionId, ulong startAfter, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        DiscussionId = discussionId;
        _through = startAfter;
    }

    public string DiscussionId { get; }

    /// <summary>Starts the shared stream: a Watch from <paramref name="call"/>, resuming after the seq the fanout started at.</summary>
    public void Start(Func<ulong, CancellationToken, AsyncServerStreamingCall<WatchResponse>> call) =>
        _ = Task.Run(() => PumpAsync(call));

    /// <summary>
    /// Adds a watcher whose own catch-up reached <paramref name="position"/>; false when this fanout cannot continue
    /// from there (it is over, or the frames right after that position are no longer kept): the watcher should resync.
    /// </summary>
    public bool Join(Watcher watcher, ulong position)
    {
        lock (_lock)
        {
            if (_over)
            {
                return false;
            }
            if (_through > position)
            {
                // Frames it has not seen are kept only back to the oldest one here.
                if (_recent.First is not { } oldest || oldest.Value.First > position + 1)
                {
                    return false;
                }
                foreach (var (first, frame) in _recent)
                {
                    OfferFrom(watcher, first, frame);
                }
            }
            _watchers.Add(watcher);
            return true;
        }
    }

    /// <summary>Takes a watcher off; the last one to leave stops the shared stream.</summary>
    public void Leave(Watcher watcher)
    {
        lock (_lock)
        {
            _watchers.Remove(watcher);
            if (_watchers.Count > 0 || _over)
            {
                return;
            }
            _over = true;
        }
        _owner.Retire(this);
        _stop.Cancel();
    }

    /// <summary>Resumptions of the shared stream in a row that brought no new event before the watchers are told to resync.</summary>
    public const int Resumes = 3;

    private async Task PumpAsync(Func<ulong, CancellationToken, AsyncServerStreamingCall<WatchResponse>> start)
    {
        var reason = "the gateway's feed of this discussion ended";
        for (var fruitless = 0; ;)
        {
            var resumedAfter = _through;
            try
            {
                using var call = start(_through, _stop.Token);
                var next = Next.Continue;
                while (next == Next.Continue && await call.ResponseStream.MoveNext(_stop.Token))
                {
                    next = await DeliverAsync(call.ResponseStream.Current);
                }
                if (next == Next.Stop)
                {
                    reason = "the gateway could not resume its feed of this discussion";
                    break;
                }
                if (next == Next.Resume)
                {
                    reason = "the gateway fell behind its feed of this discussion";
                }
            }
            catch (RpcException e) when (!_stop.IsCancellationRequested)
            {
                reason = "the gateway lost its feed of this discussion";
                LogFeedLost(_logger, DiscussionId, e.StatusCode, e.Status.Detail);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return; // the last watcher left
            }
            if (_stop.IsCancellationRequested)
            {
                return;
            }
            // A stream that brought events starts a new count; one that brought none counts against the limit.
            fruitless = _through > resumedAfter ? 0 : fruitless + 1;
            if (fruitless == Resumes)
            {
                break;
            }
            LogResuming(_logger, DiscussionId, _through, reason);
            await Task.Delay(TimeSpan.FromMilliseconds(100 * fruitless), _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        if (!_stop.IsCancellationRequested)
        {
            EndAll(new WatcherEnd(WatcherEndKind.Resync, reason));
        }
    }

    private enum Next
    {
        /// <summary>Go on reading.</summary>
        Continue,
        /// <summary>Live asked for a resync: start again after the last seq had.</summary>
        Resume,
        /// <summary>The events cannot be followed from here (a snapshot: the resume point is no longer kept).</summary>
        Stop,
    }

    // One frame of the shared stream to every watcher.
    private async ValueTask<Next> DeliverAsync(WatchResponse message)
    {
        switch (message.FrameCase)
        {
            case WatchResponse.FrameOneofCase.Events when message.Events.Events.Count > 0:
                var events = message.Events.Events;
                var frame = LiveFrame.Shared(message, events[^1].Seq);
                Watcher[] watchers;
                int count;
                lock (_lock)
                {
                    if (frame.Through <= _through)
                    {
                        return Next.Continue; // a resumed stream's overlap with what was had
                    }
                    _recent.AddLast((events[0].Seq, frame));
                    if (_recent.Count > KeptFrames)
                    {
                        _recent.RemoveFirst();
                    }
                    _through = frame.Through;
                    // The watchers of now: one that joins from here on finds this frame in _recent (Join).
                    count = _watchers.Count;
                    watchers = ArrayPool<Watcher>.Shared.Rent(count);
                    _watchers.CopyTo(watchers);
                }
                try
                {
                    var mayEnd = StreamEnds.MayEnd(events);
                    for (var i = 0; i < count; i++)
                    {
                        // Copying a frame to a thousand streams wakes as many connections' writers, work that would
                        // all run before the next call or answer the gateway reads (a post and its answer from
                        // Discussions waited 200 ms behind it at 10 streams per connection). In slices, what arrived
                        // meanwhile is taken in between, as Live's fan-out does.
                        if (i > 0 && i % DiscussionFanout.WatchersPerSlice == 0)
                        {
                            await Task.Yield();
                        }
                        var watcher = watchers[i];
                        OfferFrom(watcher, events[0].Seq, frame);
                        if (mayEnd && StreamEnds.Of(events, watcher.UserId) is { } end)
                        {
                            watcher.EndAfterDrain(end);
                        }
                    }
                }
                finally
                {
                    ArrayPool<Watcher>.Shared.Return(watchers, clearArray: true);
                }
                return Next.Continue;
            case WatchResponse.FrameOneofCase.Heartbeat:
                var heartbeat = LiveFrame.Shared(message, 0);
                lock (_lock)
                {
                    foreach (var watcher in _watchers)
                    {
                        watcher.Offer(heartbeat);
                    }
                }
                return Next.Continue;
            case WatchResponse.FrameOneofCase.Resync:
                return Next.Resume;
            default:
                return Next.Stop;
        }
    }

    // The part of a frame the watcher has not had, as it is when it has had none of it. Each watcher is offered frames
    // by one caller at a time: Join (under the lock, before it is listed) and then only the pump.
    private static void OfferFrom(Watcher watcher, ulong first, LiveFrame frame)
    {
        if (frame.Through <= watcher.SentThrough)
        {
            return;
        }
        if (first > watcher.SentThrough)
        {
            watcher.Offer(frame);
        }
        else
        {
            var rest = new EventBatch();
            rest.Events.Add(frame.Message.Events.Events.Where(e => e.Seq > watcher.SentThrough));
            watcher.Offer(new LiveFrame(new WatchResponse { Events = rest }, frame.Through));
        }
        watcher.SentThrough = frame.Through;
    }

    private void EndAll(WatcherEnd end)
    {
        lock (_lock)
        {
            _over = true;
            foreach (var watcher in _watchers)
            {
                watcher.EndAfterDrain(end);
            }
        }
        _owner.Retire(this);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway's shared Watch of discussion {DiscussionId} failed ({Code}: {Detail})")]
    private static partial void LogFeedLost(ILogger logger, string discussionId, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the gateway's shared Watch of discussion {DiscussionId} after seq {Seq}: {Reason}")]
    private static partial void LogResuming(ILogger logger, string discussionId, ulong seq, string reason);
}

/// <summary>This gateway's fanouts, one per discussion it has watchers of.</summary>
internal sealed class EdgeFanouts(ILogger<EdgeFanout> logger)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, EdgeFanout> _byDiscussion = new(StringComparer.Ordinal);

    /// <summary>How many discussions this gateway holds a shared stream for (for tests and metrics).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _byDiscussion.Count;
            }
        }
    }

    /// <summary>
    /// Joins <paramref name="watcher"/> to the discussion's fanout, starting one (and its shared stream, resuming after
    /// <paramref name="position"/>) when there is none; false when the watcher should resync instead.
    /// </summary>
    public bool Join(string discussionId, Watcher watcher, ulong position, Func<ulong, CancellationToken, AsyncServerStreamingCall<WatchResponse>> call, out EdgeFanout fanout)
    {
        bool started;
        lock (_lock)
        {
            started = !_byDiscussion.TryGetValue(discussionId, out fanout!);
            if (started)
            {
                fanout = new EdgeFanout(this, discussionId, position, logger);
                _byDiscussion[discussionId] = fanout;
            }
        }
        var joined = fanout.Join(watcher, position);
        if (started)
        {
            fanout.Start(call);
        }
        return joined;
    }

    public void Retire(EdgeFanout fanout)
    {
        lock (_lock)
        {
            if (_byDiscussion.TryGetValue(fanout.DiscussionId, out var current) && current == fanout)
            {
                _byDiscussion.Remove(fanout.DiscussionId);
            }
        }
    }
}
