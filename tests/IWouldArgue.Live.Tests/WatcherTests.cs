using IWouldArgue.Contracts.V1;
using IWouldArgue.Live.Fanout;
using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// A watcher's writes may go straight into its call's response body, so once the Watch method closes it
/// nothing of it may touch the call again: no frame written, no reset of a stream that has moved on.
/// </summary>
public class WatcherTests
{
    [Fact]
    public async Task Close_WaitsForTheWriteInProgress_AndNothingIsWrittenAfterIt()
    {
        var stream = new HeldStream();
        var watcher = NewWatcher(stream, new DefaultHttpContext());

        watcher.Offer(Frame(1));
        watcher.Offer(Frame(2));
        var closing = watcher.CloseAsync();

        Assert.False(closing.IsCompleted, "closed while a write was still in progress");
        stream.Release();
        await closing.WaitAsync(TimeSpan.FromSeconds(5));
        watcher.Offer(Frame(3));
        watcher.EndAfterDrain(new WatcherEnd(WatcherEndKind.Resync, "test"));

        Assert.Equal(1, stream.Writes);
    }

    [Fact]
    public async Task AWatcherThatFellBehind_CatchesUpWithOneFlushForItsBacklog()
    {
        var stream = new HeldStream();
        var watcher = NewWatcher(stream, new DefaultHttpContext());

        watcher.Offer(Frame(1)); // its write waits (a slow peer, a busy server): the next frames queue behind it
        for (ulong seq = 2; seq <= 5; seq++)
        {
            watcher.Offer(Frame(seq));
        }
        stream.Release();
        await WaitUntilAsync(() => stream.Completed == 5);
        watcher.Offer(Frame(6)); // caught up: nothing queued, flushed at once

        Assert.Equal([true, false, false, false, true, true], stream.Flushes);
    }

    [Fact]
    public void Close_OfAnIdleWatcher_CompletesAtOnce()
    {
        var stream = new HeldStream();
        var watcher = NewWatcher(stream, new DefaultHttpContext());
        stream.Release(); // writes complete as they are made
        watcher.Offer(Frame(1));

        Assert.Equal(1, stream.Completed);
        Assert.True(watcher.CloseAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task AStuckWatcherClosedBeforeItsGraceRunsOut_IsNotResetAfterwards()
    {
        var stream = new HeldStream();
        using var lifetime = new RecordingLifetime();
        var watcher = StuckPastItsBound(stream, lifetime);

        var closing = watcher.CloseAsync();
        stream.Release();
        await closing.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(500);

        Assert.False(lifetime.Aborted, "the watcher reset a call after it was closed");
    }

    [Fact]
    public async Task AStuckWatcher_IsResetAfterItsGrace()
    {
        using var lifetime = new RecordingLifetime();
        var watcher = StuckPastItsBound(new HeldStream(), lifetime);

        await WaitUntilAsync(() => lifetime.Aborted);

        var end = await watcher.Ended.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WatcherEndKind.Gone, end.Kind);
    }

    // A watcher (bound 1, grace 100 ms) whose first write never lands, offered frames past its bound: a resync
    // is due, and a reset of its call if that write is still stuck after the grace.
    private static Watcher StuckPastItsBound(HeldStream stream, RecordingLifetime lifetime)
    {
        var http = new DefaultHttpContext();
        http.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        var watcher = NewWatcher(stream, http, bound: 1, grace: TimeSpan.FromMilliseconds(100));
        watcher.Offer(Frame(1));
        watcher.Offer(Frame(2));
        watcher.Offer(Frame(3));
        return watcher;
    }

    private static Watcher NewWatcher(HeldStream stream, HttpContext http, int bound = 64, TimeSpan? grace = null) =>
        new("user-1", stream, http, bound, grace ?? TimeSpan.FromSeconds(10), writtenThrough: 0);

    private static LiveFrame Frame(ulong seq)
    {
        var batch = new EventBatch();
        batch.Events.Add(new DiscussionEvent { Seq = seq });
        return new LiveFrame(new WatchResponse { Events = batch }, seq);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    /// <summary>A response stream whose writes stay in progress until released (then complete at once).</summary>
    private sealed class HeldStream : IServerStreamWriter<WatchResponse>
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<bool> _flushes = [];
        private int _writes;
        private int _completed;

        /// <summary>Per write, in order: whether it asked to be flushed (no BufferHint).</summary>
        public List<bool> Flushes
        {
            get
            {
                lock (_flushes)
                {
                    return [.. _flushes];
                }
            }
        }

        public int Writes => Volatile.Read(ref _writes);

        public int Completed => Volatile.Read(ref _completed);

        public void Release() => _released.TrySetResult();

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(WatchResponse message) => Write();

        public Task WriteAsync(WatchResponse message, CancellationToken cancellationToken) => Write();

        private async Task Write()
        {
            lock (_flushes)
            {
                _flushes.Add((WriteOptions?.Flags & WriteFlags.BufferHint) != WriteFlags.BufferHint);
            }
            Interlocked.Increment(ref _writes);
            await _released.Task;
            Interlocked.Increment(ref _completed);
        }
    }

    private sealed class RecordingLifetime : IHttpRequestLifetimeFeature, IDisposable
    {
        private readonly CancellationTokenSource _aborted = new();

        public bool Aborted => _aborted.IsCancellationRequested;

        public CancellationToken RequestAborted { get => _aborted.Token; set { } }

        public void Abort() => _aborted.Cancel();

        public void Dispose() => _aborted.Dispose();
    }
}
