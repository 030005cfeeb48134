using Grpc.Core;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Live.Tests;

/// <summary>The state store becoming unreachable while people open the room.</summary>
public sealed class StateStoreOutageTests
{
    [Fact]
    public async Task WhenTheStateStoreCannotBeReached_AWatchIsTold_Unavailable_WithASentence_NotInternal()
    {
        using var db = new TestDatabase();
        var state = new SwitchableStateStore(new InProcessStateStore(TimeProvider.System));
        await using var host = await LiveTestHost.StartAsync(db, state: state);
        var room = await Room.OpenAsync(host, attendees: 1);
        state.Unreachable = true;

        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitForEndAsync();

        Assert.Equal(StatusCode.Unavailable, watcher.FinalStatus);
        Assert.Contains("state store", watcher.FinalMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhenTheStateStoreMissesAFewReads_AWatchWaitsForItsSnapshot_InsteadOfBeingRefused()
    {
        using var db = new TestDatabase();
        var state = new SwitchableStateStore(new InProcessStateStore(TimeProvider.System));
        await using var host = await LiveTestHost.StartAsync(db, state: state);
        var room = await Room.OpenAsync(host, attendees: 1);
        state.FailReads("hands:", 3);

        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(s => s.Frames.Any(f => f.Snapshot is not null) || s.FinalStatus is not null);

        Assert.Null(watcher.FinalStatus);
        Assert.Equal(0, state.ReadsStillToFail);
    }

    [Fact]
    public async Task WhenTheStateStoreStopsAnswering_TheInstanceStillStops_AndItsWatchersAreToldToResync()
    {
        // A broker killed mid-request: calls neither answer nor fail, whatever their cancellation token says (the bench
        // of the tier once left a Live instance unable to exit for minutes after its NATS server went).
        using var db = new TestDatabase();
        var state = new SwitchableStateStore(new InProcessStateStore(TimeProvider.System));
        await using var host = await LiveTestHost.StartAsync(db, state: state);
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(s => s.Frames.Any(f => f.Snapshot is not null));
        state.Hangs = true;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the instance's renewal (every second here) has begun, and hangs

        // Each routing write gets 5 s (the pumps' renewals, then the instance's removal: about 10 s): these bounds must end
        // the stop, before the host's 30 s shutdown timeout would (which is what ended it while the instance's renewal
        // waited on the store).
        var stopping = host.StopAsync();
        var stopped = await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(25)));
        await watcher.WaitForEndAsync();

        Assert.Same(stopping, stopped);
        // Told to come back: a resync frame, or the stream closed as UNAVAILABLE when the server went first.
        Assert.True(watcher.Frames.Any(f => f.Resync is not null) || watcher.FinalStatus == StatusCode.Unavailable, $"the stream ended with {watcher.FinalStatus}: {watcher.FinalMessage}");
    }

    [Fact]
    public async Task WhileTheStateStoreIsSlowToTakeARenewal_TheDiscussionsPumpWaitsForIt_InsteadOfSpinning()
    {
        // A renewal of the routing entry that the store holds longer than the renewal interval (an overloaded NATS
        // server): the pump must sleep until something is due, not wake over and over because the renewal's time passed.
        using var db = new TestDatabase();
        var state = new SwitchableStateStore(new InProcessStateStore(TimeProvider.System));
        var clock = new CountingClock();
        await using var host = await LiveTestHost.StartAsync(db, state: state,
            settings: new Dictionary<string, string?> { ["Live:RegistrationInterval"] = "00:00:00.200" },
            services: s => s.AddSingleton<TimeProvider>(clock));
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(s => s.Frames.Any(f => f.Snapshot is not null));
        state.SavesHang = true;
        await Task.Delay(TimeSpan.FromSeconds(1)); // a renewal has begun, and its interval has passed

        var before = clock.Reads;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var reads = clock.Reads - before;
        state.SavesHang = false;

        // Idle, the whole host reads the clock a few dozen times in 2 s; the spinning pump read it millions of times.
        Assert.True(reads < 10_000, $"the clock was read {reads} times in 2 s");
        var posted = await room.PostAsync(1, "still delivered");
        await watcher.WaitForSeqAsync(posted.Single());
    }

    // The system clock, counting how often it is read.
    private sealed class CountingClock : TimeProvider
    {
        private long _reads;

        public long Reads => Interlocked.Read(ref _reads);

        public override DateTimeOffset GetUtcNow()
        {
            Interlocked.Increment(ref _reads);
            return System.GetUtcNow();
        }
    }

    private sealed class SwitchableStateStore(IStateStore inner) : IStateStore
    {
        public volatile bool Unreachable;
        public volatile bool Hangs;
        public volatile bool SavesHang;
        private int _failReads;
        private volatile string _failing = "";

        public int ReadsStillToFail => Volatile.Read(ref _failReads);

        /// <summary>Fails the next <paramref name="count"/> reads of keys starting with <paramref name="prefix"/> as unreachable.</summary>
        public void FailReads(string prefix, int count)
        {
            _failing = prefix;
            Volatile.Write(ref _failReads, count);
        }

        private bool FailThisRead(string key)
        {
            if (!key.StartsWith(_failing, StringComparison.Ordinal))
            {
                return false;
            }
            var left = Volatile.Read(ref _failReads);
            while (left > 0)
            {
                var seen = Interlocked.CompareExchange(ref _failReads, left - 1, left);
                if (seen == left)
                {
                    return true;
                }
                left = seen;
            }
            return false;
        }

        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            Hangs ? Never<StateEntry?>() : Unreachable || FailThisRead(key) ? throw Outage() : inner.GetAsync(key, cancellationToken);

        public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
            Hangs || SavesHang ? Never<bool>() : Unreachable ? throw Outage() : inner.TrySaveAsync(key, value, etag, ttl, cancellationToken);

        public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) =>
            Hangs ? Never<bool>() : Unreachable ? throw Outage() : inner.TryDeleteAsync(key, etag, cancellationToken);

        private static Task<T> Never<T>() => new TaskCompletionSource<T>().Task;

        private static BuildingBlockUnavailableException Outage() =>
            new("state store", new TimeoutException("no reply from the state store"));
    }
}
