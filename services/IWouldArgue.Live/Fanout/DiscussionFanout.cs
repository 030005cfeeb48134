using System.Threading.Channels;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Live.Fanout;

/// <summary>
/// The watchers of one discussion on this instance, fed by one pump. Events arrive from pub/sub in any
/// order, possibly twice, possibly with holes; the pump keeps them in a sorted buffer, and sends the
/// contiguous run after the last sequence it delivered as ONE frame, made once and copied to every watcher:
/// at once when the discussion was quiet for a batch window, else when the window of its last frame ends.
/// A hole is filled from the log before anything after it goes out, and a quiet discussion's log tail is
/// checked now and then, so a lost publish delays an event but never loses or reorders it. Joins and
/// leaves go through the same pump, so the watcher list needs no lock.
/// </summary>
internal sealed partial class DiscussionFanout
{
    private const int MaxEventsPerFrame = 256;
    /// <summary>Watchers a fan-out offers a frame to before letting other work run (here and in the gateway's edge fan-out).</summary>
    internal const int WatchersPerSlice = 100;
    private readonly LiveHub _hub;
    private readonly Channel<object> _inbox = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Watcher> _watchers = [];
    private readonly SortedDictionary<ulong, DiscussionEvent> _pending = [];
    private readonly EventRing _recent;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ulong _lastSeq;
    private bool _positioned;
    private bool _ended;
    private DateTimeOffset _windowEnds = DateTimeOffset.MaxValue;
    private DateTimeOffset _lastFrameAt;
    private DateTimeOffset _lastEventsAt = DateTimeOffset.MinValue;
    private DateTimeOffset _nextTailCheck;
    private TimeSpan _tailBackoff;
    private DateTimeOffset _nextRenewal;
    private DateTimeOffset _emptySince;
    private Task<bool>? _inboxWait;

    public DiscussionFanout(string discussionId, LiveHub hub)
    {
        DiscussionId = discussionId;
        _hub = hub;
        _recent = new EventRing(hub.Options.RecentEvents);
        var now = hub.Clock.GetUtcNow();
        _lastFrameAt = now;
        _emptySince = now;
        ScheduleTailCheck(now);
    }

    public string DiscussionId { get; }

    /// <summary>Watch calls admitted to this discussion (guarded by the hub's lock).</summary>
    public int Admitted { get; set; }

    /// <summary>Completes once this instance is registered as serving the discussion, so events are routed here.</summary>
    public Task Ready => _ready.Task;

    /// <summary>The pump; completes when the fanout retires or the instance stops.</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    // The routing entry's renewal in progress, if any (at most one at a time).
    private Task _renewing = Task.CompletedTask;

    public bool HasWork => _inbox.Reader.TryPeek(out _);

    public void Start() => Running = Task.Run(RunAsync);

    /// <summary>An event from pub/sub or the log.</summary>
    public void Post(DiscussionEvent e) => _inbox.Writer.TryWrite(e);

    /// <summary>
    /// Adds a watcher that has been sent everything up to <paramref name="position"/>. False when the fanout
    /// is already past that point and no longer holds the events in between: read them from the log, then join again.
    /// </summary>
    public Task<bool> JoinAsync(Watcher watcher, ulong position)
    {
        var join = new Join(watcher, position);
        if (!_inbox.Writer.TryWrite(join))
        {
            join.Done.TrySetException(Closed());
        }
        return join.Done.Task;
    }

    public void Leave(Watcher watcher) => _inbox.Writer.TryWrite(new Departure(watcher));

    public void Stop() => _inbox.Writer.TryWrite(StopSignal.Instance);

    private async Task RunAsync()
    {
        try
        {
            await RenewAsync();
            _ready.TrySetResult();
            while (await NextAsync() is not StopSignal)
            {
                var now = _hub.Clock.GetUtcNow();
                if (now >= _windowEnds)
                {
                    await FlushAsync(); // with nothing pending (a joiner's position passed it), it only closes the window
                }
                if (_watchers.Count > 0 && now - _lastFrameAt >= _hub.Options.HeartbeatInterval)
                {
                    Heartbeat(now);
                }
                if (now >= _nextTailCheck && _positioned)
                {
                    await CheckTailAsync(now);
                }
                if (now >= _nextRenewal && _renewing.IsCompleted)
                {
                    // Not awaited: a slow state store delays the routing entry, never the frames.
                    _renewing = RenewAsync();
                }
                if (_watchers.Count == 0 && now - _emptySince >= _hub.Options.IdleLinger)
                {
                    if (_hub.TryRetire(this))
                    {
                        return;
                    }
                    // Someone is being admitted: wait for them (or another linger).
                    _emptySince = now;
                }
            }
            EndAll(new WatcherEnd(WatcherEndKind.Resync, "this server is restarting"));
        }
        catch (Exception ex)
        {
            Log.PumpFailed(_hub.Logger, DiscussionId, ex);
            _ready.TrySetException(ex);
            EndAll(new WatcherEnd(WatcherEndKind.Resync, "the server hit an error"));
            _hub.TryRetire(this, force: true);
        }
        finally
        {
            // Nothing is taken in any more; whoever was about to join is sent elsewhere.
            _inbox.Writer.TryComplete();
            while (_inbox.Reader.TryRead(out var item))
            {
                (item as Join)?.Done.TrySetException(Closed());
            }
            await _renewing;
            await _hub.UnregisterAsync(DiscussionId);
        }
    }

    private static RpcException Closed() => RpcErrors.Of(StatusCode.Unavailable, "This discussion's live view is moving; reconnect.");

    /// <summary>Waits for the next inbox item or the next timer, then handles every item already waiting. Returns the stop signal, if it came.</summary>
    private async Task<object?> NextAsync()
    {
        var now = _hub.Clock.GetUtcNow();
        // A renewal under way is waited for, not its deadline: one the state store is slow to take outlives its
        // interval, and a due time in the past would make this wait return at once, over and over (the pumps of a
        // Live instance whose NATS server answered late spun at 0.7 cores, starving the server they waited on).
        var renewing = _renewing.IsCompleted ? null : _renewing;
        var due = Min(_windowEnds, renewing is null ? _nextRenewal : DateTimeOffset.MaxValue);
        if (_positioned)
        {
            due = Min(due, _nextTailCheck);
        }
        due = _watchers.Count > 0
            ? Min(due, _lastFrameAt + _hub.Options.HeartbeatInterval)
            : Min(due, _emptySince + _hub.Options.IdleLinger);
        if (due > now && !_inbox.Reader.TryPeek(out _))
        {
            // One wait on the inbox stays pending across timeouts (a timed-out wait is not an exception here:
            // windows end by timeout many times a second).
            _inboxWait ??= _inbox.Reader.WaitToReadAsync().AsTask();
            if (!_inboxWait.IsCompleted)
            {
                var timer = Task.Delay(due - now, _hub.Clock);
                await (renewing is null ? Task.WhenAny(_inboxWait, timer) : Task.WhenAny(_inboxWait, timer, renewing));
            }
            if (!_inboxWait.IsCompleted)
            {
                return null;
            }
            _inboxWait = null;
        }
        while (_inbox.Reader.TryRead(out var item))
        {
            switch (item)
            {
                case StopSignal:
                    return item;
                case DiscussionEvent e:
                    Accept(e);
                    break;
                case Join join:
                    Admit(join);
                    break;
                case Departure leave:
                    _watchers.Remove(leave.Watcher);
                    if (_watchers.Count == 0)
                    {
                        _emptySince = _hub.Clock.GetUtcNow();
                    }
                    break;
            }
        }
        return null;
    }

    private void Accept(DiscussionEvent e)
    {
        if (_positioned && e.Seq <= _lastSeq)
        {
            return;
        }
        _pending[e.Seq] = e;
        OpenWindow();
    }

    private void Admit(Join join)
    {
        var watcher = join.Watcher;
        if (!_positioned)
        {
            // The first watcher read the log up to its position: that is where this fanout starts.
            _positioned = true;
            _lastSeq = join.Position;
            foreach (var stale in _pending.Keys.Where(s => s <= _lastSeq).ToList())
            {
                _pending.Remove(stale);
            }
            // What came after the position goes out in the next window (a window closed while unpositioned sent nothing).
            if (_pending.Count > 0)
            {
                OpenWindow();
            }
        }
        if (join.Position < _lastSeq)
        {
            var missed = _recent.After(join.Position);
            if (missed is null)
            {
                join.Done.TrySetResult(false);
                return;
            }
            watcher.SentThrough = join.Position;
            foreach (var chunk in missed.Chunk(MaxEventsPerFrame))
            {
                var frame = Encode(chunk);
                watcher.Offer(frame);
                watcher.SentThrough = frame.Through;
                ApplyConsequences(chunk, [watcher]);
            }
        }
        watcher.SentThrough = Math.Max(watcher.SentThrough, join.Position);
        _watchers.Insert(PlaceOf(watcher), watcher);
        join.Done.TrySetResult(true);
        if (_ended)
        {
            watcher.EndAfterDrain(StreamEnds.DiscussionEnded);
        }
    }

    // Watchers are kept grouped by connection, so a broadcast writes all of one connection's streams in a row
    // and Kestrel sends their frames together, instead of one socket write per stream when watchers of
    // many connections alternate. A newcomer goes beside the watchers of its connection (or in order).
    private static readonly Comparer<Watcher> ByConnection = Comparer<Watcher>.Create((a, b) => string.CompareOrdinal(a.ConnectionId, b.ConnectionId));

    private int PlaceOf(Watcher watcher) => _watchers.BinarySearch(watcher, ByConnection) is var at && at < 0 ? ~at : at;

    /// <summary>Sends the contiguous run of pending events as frames, filling holes from the log first.</summary>
    private async Task FlushAsync()
    {
        _windowEnds = DateTimeOffset.MaxValue;
        if (!_positioned)
        {
            return;
        }
        foreach (var stale in _pending.Keys.TakeWhile(s => s <= _lastSeq).ToList())
        {
            _pending.Remove(stale);
        }
        if (_pending.Count > 0 && _pending.Keys.First() > _lastSeq + 1)
        {
            var missing = (int)Math.Min(_pending.Keys.First() - _lastSeq - 1, 1000);
            Log.RepairingGap(_hub.Logger, DiscussionId, _lastSeq + 1, _lastSeq + (ulong)missing);
            foreach (var e in await ReadLogAsync(missing))
            {
                _pending.TryAdd(e.Seq, e);
            }
        }
        var run = new List<DiscussionEvent>();
        while (_pending.Remove(_lastSeq + 1, out var next))
        {
            run.Add(next);
            _recent.Add(next);
            _lastSeq = next.Seq;
        }
        foreach (var chunk in run.Chunk(MaxEventsPerFrame))
        {
            await BroadcastAsync(chunk);
        }
        if (run.Count > 0)
        {
            ScheduleTailCheck(_hub.Clock.GetUtcNow());
        }
        if (_pending.Count > 0)
        {
            // Still a hole the log could not fill yet: try again next window.
            _windowEnds = NextWindowEnd();
        }
    }

    private async Task BroadcastAsync(DiscussionEvent[] events)
    {
        var batch = Encode(events);
        var shared = LiveFrame.Shared(batch.Message, batch.Through); // framed once, for the watchers that get all of it
        var first = events[0].Seq;
        ProductMetrics.RecordFanoutLag(events[0], _hub.Clock.GetUtcNow());
        for (var i = 0; i < _watchers.Count; i++)
        {
            // Copying a frame to a thousand streams is a few milliseconds of work; in slices, other
            // discussions' frames and incoming calls get the CPU in between instead of queueing behind it.
            if (i > 0 && i % WatchersPerSlice == 0)
            {
                await Task.Yield();
            }
            var watcher = _watchers[i];
            if (watcher.SentThrough >= shared.Through)
            {
                continue;
            }
            // A watcher that joined ahead of this fanout (it read the log further) gets only what it lacks.
            watcher.Offer(watcher.SentThrough >= first ? Encode(events.Where(e => e.Seq > watcher.SentThrough)) : shared);
            watcher.SentThrough = shared.Through;
        }
        _lastFrameAt = _lastEventsAt = _hub.Clock.GetUtcNow();
        ApplyConsequences(events, _watchers);
    }

    /// <summary>Ends the streams the events close (see <see cref="StreamEnds"/>) once what came before is written.</summary>
    private void ApplyConsequences(IReadOnlyList<DiscussionEvent> events, List<Watcher> watchers)
    {
        if (!StreamEnds.MayEnd(events))
        {
            return;
        }
        _ended |= events.Any(e => e.KindCase == DiscussionEvent.KindOneofCase.DiscussionEnded);
        foreach (var watcher in watchers)
        {
            if (StreamEnds.Of(events, watcher.UserId) is { } end)
            {
                watcher.EndAfterDrain(end);
            }
        }
    }

    private void Heartbeat(DateTimeOffset now)
    {
        var frame = LiveFrame.Shared(
            new WatchResponse { Heartbeat = new Heartbeat { SentAt = Timestamp.FromDateTimeOffset(now), LastSeq = _lastSeq } },
            0);
        foreach (var watcher in _watchers)
        {
            watcher.Offer(frame);
        }
        _lastFrameAt = now;
    }

    /// <summary>Reads the log after the last delivered event: catches what pub/sub lost at the tail, where no later event reveals the hole.</summary>
    private async Task CheckTailAsync(DateTimeOffset now)
    {
        _tailBackoff = TimeSpan.FromTicks(Math.Min(_tailBackoff.Ticks * 2, _hub.Options.HeartbeatInterval.Ticks));
        _nextTailCheck = now + _tailBackoff;
        var missed = await ReadLogAsync(MaxEventsPerFrame);
        if (missed.Count > 0)
        {
            Log.TailCaughtUp(_hub.Logger, DiscussionId, missed.Count, missed[0].Seq);
            foreach (var e in missed)
            {
                _pending.TryAdd(e.Seq, e);
            }
            await FlushAsync();
        }
    }

    /// <summary>
    /// Events after the last delivered one, from the log. A failed read (the store briefly unavailable) is
    /// logged and reads as nothing: the hole stays and is retried next window or tail check, rather than
    /// ending every stream of the discussion.
    /// </summary>
    private async Task<IReadOnlyList<DiscussionEvent>> ReadLogAsync(int limit)
    {
        try
        {
            return await _hub.Feed.GetEventsAsync(DiscussionId, _lastSeq, limit);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.LogReadFailed(_hub.Logger, DiscussionId, ex);
            return [];
        }
    }

    // After activity the tail is checked 1 s later, then ever more rarely, up to the heartbeat interval.
    private void ScheduleTailCheck(DateTimeOffset now)
    {
        _tailBackoff = TimeSpan.FromSeconds(1);
        _nextTailCheck = now + _tailBackoff;
    }

    private async Task RenewAsync()
    {
        _nextRenewal = _hub.Clock.GetUtcNow() + _hub.Options.RegistrationInterval;
        await _hub.RegisterAsync(DiscussionId);
    }

    private void EndAll(WatcherEnd end)
    {
        foreach (var watcher in _watchers)
        {
            watcher.EndAfterDrain(end);
        }
        _watchers.Clear();
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    // When the pending events go out. A discussion sends at most one frame of events per window, but an event does not
    // wait for a window of its own: one that continues the sequence goes out at once when the last frame of events left
    // a window ago or more (at a few comments a second, every comment), else when that frame's window ends, together with
    // whatever else arrived meanwhile. An event after a hole waits a whole window for the missing one to arrive before
    // the log is read for it (pub/sub may deliver out of order). Aligned windows keep to their slices of the clock.
    private void OpenWindow()
    {
        if (!_hub.Options.AlignBatchWindows && _positioned && _pending.ContainsKey(_lastSeq + 1))
        {
            var now = _hub.Clock.GetUtcNow();
            var quietSince = _lastEventsAt + _hub.Options.BatchWindow;
            _windowEnds = Min(_windowEnds, quietSince > now ? quietSince : now);
        }
        else if (_windowEnds == DateTimeOffset.MaxValue)
        {
            _windowEnds = NextWindowEnd();
        }
    }

    // Aligned: the end of the current slice of the clock, the same moment for every discussion. Otherwise one
    // window from now.
    private DateTimeOffset NextWindowEnd()
    {
        var now = _hub.Clock.GetUtcNow();
        if (!_hub.Options.AlignBatchWindows)
        {
            return now + _hub.Options.BatchWindow;
        }
        var window = Math.Max(_hub.Options.BatchWindow.Ticks, 1);
        return new DateTimeOffset((now.UtcTicks / window + 1) * window, TimeSpan.Zero);
    }

    private static LiveFrame Encode(IEnumerable<DiscussionEvent> events)
    {
        var batch = new EventBatch();
        batch.Events.Add(events);
        return new LiveFrame(new WatchResponse { Events = batch }, batch.Events[^1].Seq);
    }

    private sealed record Join(Watcher Watcher, ulong Position)
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Departure(Watcher Watcher);

    private sealed class StopSignal
    {
        public static readonly StopSignal Instance = new();
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Discussion {DiscussionId}: events {From}..{To} did not arrive by pub/sub; reading them from the log")]
        public static partial void RepairingGap(ILogger logger, string discussionId, ulong from, ulong to);

        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Discussion {DiscussionId}: {Count} events from {From} found in the log that pub/sub had not delivered")]
        public static partial void TailCaughtUp(ILogger logger, string discussionId, int count, ulong from);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Discussion {DiscussionId}: reading the event log failed; retrying shortly")]
        public static partial void LogReadFailed(ILogger logger, string discussionId, Exception exception);

        [LoggerMessage(EventId = 12, Level = LogLevel.Error, Message = "Discussion {DiscussionId}: the fan-out failed; its watchers were told to resync")]
        public static partial void PumpFailed(ILogger logger, string discussionId, Exception exception);
    }
}
