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

    private sealed class SwitchableStateStore(IStateStore inner) : IStateStore
    {
        public volatile bool Unreachable;

        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) =>
            Unreachable ? throw Outage() : inner.GetAsync(key, cancellationToken);

        public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
            Unreachable ? throw Outage() : inner.TrySaveAsync(key, value, etag, ttl, cancellationToken);

        public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) =>
            Unreachable ? throw Outage() : inner.TryDeleteAsync(key, etag, cancellationToken);

        private static BuildingBlockUnavailableException Outage() =>
            new("state store", new TimeoutException("no reply from the state store"));
    }
}
