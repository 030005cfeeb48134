using System.Collections.Concurrent;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace IWouldArgue.BuildingBlocks.Tests;

public class InProcessStateStoreTests : StateStoreBehavior
{
    private readonly ManualClock _clock = new();

    protected override Task<IStateStore> StoreAsync() => Task.FromResult<IStateStore>(new InProcessStateStore(_clock));

    [Fact]
    public async Task Ttl_KeyExpiresAfterIt()
    {
        var store = await StoreAsync();
        await store.TrySaveAsync("instance:a", Bytes("alive"), ttl: TimeSpan.FromSeconds(30));

        _clock.Advance(TimeSpan.FromSeconds(29));
        Assert.NotNull(await store.GetAsync("instance:a"));
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.Null(await store.GetAsync("instance:a"));
    }
}

public sealed class InProcessPubSubTests : PubSubBehavior, IAsyncDisposable
{
    private readonly InProcessPubSub _pubSub = new(NullLogger<InProcessPubSub>.Instance);

    protected override Task<IPubSub> PubSubAsync() => Task.FromResult<IPubSub>(_pubSub);

    [Fact]
    public async Task ManyMessages_ArriveInPublishOrder()
    {
        var seen = new ConcurrentQueue<string>();
        var all = new TaskCompletionSource();
        using var _ = _pubSub.Subscribe("events.order", (m, _) =>
        {
            seen.Enqueue(m.Id);
            if (seen.Count == 500)
            {
                all.TrySetResult();
            }
            return Task.FromResult(DeliveryResult.Success);
        });

        for (var i = 0; i < 500; i++)
        {
            await _pubSub.PublishAsync("events.order", new PubSubMessage($"m{i}", "t", Array.Empty<byte>()));
        }
        await all.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"m{i}"), seen);
    }

    [Fact]
    public async Task Unsubscribing_Twice_IsHarmless_AndStopsDelivery()
    {
        var delivered = 0;
        var subscription = _pubSub.Subscribe("events.twice", (_, _) =>
        {
            Interlocked.Increment(ref delivered);
            return Task.FromResult(DeliveryResult.Success);
        });

        subscription.Dispose();
        subscription.Dispose();
        await _pubSub.PublishAsync("events.twice", new PubSubMessage("m1", "t", Array.Empty<byte>()));
        await Task.Delay(100);

        Assert.Equal(0, Volatile.Read(ref delivered));
    }

    [Fact]
    public async Task SlowSubscriber_DoesNotDelayAnother()
    {
        var gate = new TaskCompletionSource();
        var fastGotIt = new TaskCompletionSource();
        using var slow = _pubSub.Subscribe("events.shared", async (_, _) =>
        {
            await gate.Task;
            return DeliveryResult.Success;
        });
        using var fast = _pubSub.Subscribe("events.shared", (_, _) =>
        {
            fastGotIt.TrySetResult();
            return Task.FromResult(DeliveryResult.Success);
        });

        await _pubSub.PublishAsync("events.shared", new PubSubMessage("m", "t", Array.Empty<byte>()));

        await fastGotIt.Task.WaitAsync(TimeSpan.FromSeconds(5));
        gate.SetResult();
    }

    public ValueTask DisposeAsync() => _pubSub.DisposeAsync();
}
