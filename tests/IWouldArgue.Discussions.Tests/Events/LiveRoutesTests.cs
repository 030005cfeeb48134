using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.BuildingBlocks.Routing;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Testing;

namespace IWouldArgue.Discussions.Tests.Events;

/// <summary>Routing a Watch to its Live instance from the list of instances, read from the state store.</summary>
public class LiveRoutesTests
{
    [Fact]
    public async Task ARouterThatHasReadTheList_RoutesFromMemory_WhileTheStoreDoesNotAnswer()
    {
        var (clock, store, routes) = Routes();
        await store.RegisterAsync("live-a", "http://a");
        Assert.Equal("live-a", (await routes.OwnerOfAsync("d-1"))!.Value.InstanceId);

        store.Hangs = true;
        clock.Advance(TimeSpan.FromSeconds(5));
        var owners = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(i => routes.OwnerOfAsync($"d-{i}").WaitAsync(TimeSpan.FromSeconds(10))));

        Assert.All(owners, owner => Assert.Equal(("live-a", "http://a"), owner));
        Assert.Equal(2, store.Reads); // the first read, and one refresh (still unanswered)
    }

    [Fact]
    public async Task ARefreshThatFails_KeepsTheList_AndIsNotRetriedByEveryRoute()
    {
        var (clock, store, routes) = Routes();
        await store.RegisterAsync("live-a", "http://a");
        await routes.OwnerOfAsync("d-1");

        store.Unreachable = true;
        clock.Advance(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("live-a", (await routes.OwnerOfAsync($"d-{i}"))!.Value.InstanceId);
        }
        Assert.Equal(2, store.Reads);

        clock.Advance(TimeSpan.FromSeconds(1));
        await routes.OwnerOfAsync("d-1");
        Assert.Equal(3, store.Reads);
    }

    [Fact]
    public async Task AnInstanceThatRegisters_IsRoutedTo_AfterTheNextRefresh()
    {
        var (clock, store, routes) = Routes();
        await store.RegisterAsync("live-a", "http://a");
        await routes.OwnerOfAsync("d-1");
        var other = Enumerable.Range(0, 1000).Select(n => $"live-{n}").First(id => Rendezvous.Pick("d-1", [id, "live-a"]) == id);

        await store.RegisterAsync(other, "http://b");
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal("live-a", (await routes.OwnerOfAsync("d-1"))!.Value.InstanceId); // the list it had; this starts the refresh

        await WaitUntilAsync(async () => (await routes.OwnerOfAsync("d-1"))!.Value.InstanceId == other);
        Assert.Equal(2, store.Reads);
    }

    [Fact]
    public async Task WhileNoInstanceIsRegistered_EachRouteReadsTheListAgain_SoTheFirstToRegisterIsFoundAtOnce()
    {
        var (_, store, routes) = Routes();
        Assert.Null(await routes.OwnerOfAsync("d-1"));
        Assert.Null(await routes.OwnerOfAsync("d-1"));
        Assert.Equal(2, store.Reads);

        await store.RegisterAsync("live-a", "http://a");

        Assert.Equal(("live-a", "http://a"), await routes.OwnerOfAsync("d-1")); // no clock moved
    }

    [Fact]
    public async Task ARouterThatNeverReadTheList_ToldTheStoreCannotBeReached()
    {
        var (_, store, routes) = Routes();
        store.Unreachable = true;

        await Assert.ThrowsAsync<BuildingBlockUnavailableException>(() => routes.OwnerOfAsync("d-1"));
        await Assert.ThrowsAsync<BuildingBlockUnavailableException>(() => routes.LoadAsync());
    }

    [Fact]
    public async Task ManyFirstRoutesAtOnce_ShareOneRead()
    {
        var (_, store, routes) = Routes();
        await store.RegisterAsync("live-a", "http://a");
        store.Hangs = true;
        var routing = Enumerable.Range(0, 500).Select(i => routes.OwnerOfAsync($"d-{i}")).ToList();
        store.Answer();

        var owners = await Task.WhenAll(routing);

        Assert.All(owners, owner => Assert.Equal("live-a", owner!.Value.InstanceId));
        Assert.Equal(1, store.Reads);
    }

    private static (ManualClock Clock, CountingStateStore Store, LiveRoutes Routes) Routes()
    {
        var clock = new ManualClock();
        var store = new CountingStateStore(new InProcessStateStore(clock), clock);
        return (clock, store, new LiveRoutes(store, clock));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "the condition did not come true within 10 s");
            await Task.Delay(10);
        }
    }

    // Counts reads; can fail them (unreachable) or hold them until told to answer (a broker that does not reply).
    private sealed class CountingStateStore(IStateStore inner, TimeProvider clock) : IStateStore
    {
        private int _reads;
        private TaskCompletionSource _answer = CompletedAnswer();
        public volatile bool Unreachable;

        /// <summary>Registers a Live instance as it does itself (not counted as a read).</summary>
        public Task RegisterAsync(string instanceId, string address) =>
            new LiveRoutes(inner, clock).Instances.UpsertAsync(instanceId, address, TimeSpan.FromHours(1));

        public int Reads => Volatile.Read(ref _reads);

        public bool Hangs
        {
            set => _answer = value ? new(TaskCreationOptions.RunContinuationsAsynchronously) : CompletedAnswer();
        }

        public void Answer() => _answer.TrySetResult();

        public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _reads);
            await _answer.Task;
            if (Unreachable)
            {
                throw new BuildingBlockUnavailableException("state store", new TimeoutException("no reply"));
            }
            return await inner.GetAsync(key, cancellationToken);
        }

        public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
            inner.TrySaveAsync(key, value, etag, ttl, cancellationToken);

        public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) =>
            inner.TryDeleteAsync(key, etag, cancellationToken);

        private static TaskCompletionSource CompletedAnswer()
        {
            var answer = new TaskCompletionSource();
            answer.SetResult();
            return answer;
        }
    }
}
