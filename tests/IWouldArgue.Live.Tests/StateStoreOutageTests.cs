using Grpc.Core;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;

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

        var stopping = host.StopAsync();
        var stopped = await Task.WhenAny(stopping, Task.Delay(TimeSpan.FromSeconds(60)));
        await watcher.WaitForEndAsync();

        Assert.Same(stopping, stopped);
        // Told to come back: a resync frame, or the stream closed as UNAVAILABLE when the server went first.
        Assert.True(watcher.Frames.Any(f => f.Resync is not null) || watcher.FinalStatus == StatusCode.Unavailable, $"the stream ended with {watcher.FinalStatus}: {watcher.FinalMessage}");
    }

    private sealed class SwitchableStateStore(IStateStore inner) : IStateStore
    {
        public volatile bool Unreachable;
        public volatile bool Hangs;

        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            Hangs ? Never<StateEntry?>() : Unreachable ? throw Outage() : inner.GetAsync(key, cancellationToken);

        public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
            Hangs ? Never<bool>() : Unreachable ? throw Outage() : inner.TrySaveAsync(key, value, etag, ttl, cancellationToken);

        public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) =>
            Hangs ? Never<bool>() : Unreachable ? throw Outage() : inner.TryDeleteAsync(key, etag, cancellationToken);

        private static Task<T> Never<T>() => new TaskCompletionSource<T>().Task;

        private static BuildingBlockUnavailableException Outage() =>
            new("state store", new TimeoutException("no reply from the state store"));
    }
}
