using System.Text;

namespace IWouldArgue.BuildingBlocks.Tests;

/// <summary>What every pub/sub adapter must do; each adapter's test class runs these.</summary>
public abstract class PubSubBehavior
{
    protected abstract Task<IPubSub> PubSubAsync();

    [Fact]
    public async Task Publish_ReachesTheSubscriber_WithIdTypeAndBytes()
    {
        var pubSub = await PubSubAsync();
        var received = new TaskCompletionSource<PubSubMessage>();
        using var _ = pubSub.Subscribe("events.d1", (m, _) =>
        {
            received.TrySetResult(m);
            return Task.FromResult(DeliveryResult.Success);
        });

        await pubSub.PublishAsync("events.d1", new PubSubMessage("m-1", "iwouldargue.v1.DiscussionEvent", new byte[] { 0, 1, 2, 255 }));
        var message = await received.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("m-1", message.Id);
        Assert.Equal("iwouldargue.v1.DiscussionEvent", message.Type);
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, message.Data.ToArray());
    }

    [Fact]
    public async Task Retry_IsDeliveredAgain_UntilHandled()
    {
        var pubSub = await PubSubAsync();
        var attempts = 0;
        var handled = new TaskCompletionSource();
        using var _ = pubSub.Subscribe("events.retry", (_, _) =>
        {
            if (Interlocked.Increment(ref attempts) < 3)
            {
                return Task.FromResult(DeliveryResult.Retry);
            }
            handled.TrySetResult();
            return Task.FromResult(DeliveryResult.Success);
        });

        await pubSub.PublishAsync("events.retry", new PubSubMessage("m-2", "t", Encoding.UTF8.GetBytes("x")));
        await handled.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task Drop_IsNotDeliveredAgain()
    {
        var pubSub = await PubSubAsync();
        var attempts = 0;
        var first = new TaskCompletionSource();
        var later = new TaskCompletionSource();
        using var a = pubSub.Subscribe("events.drop", (_, _) =>
        {
            Interlocked.Increment(ref attempts);
            first.TrySetResult();
            return Task.FromResult(DeliveryResult.Drop);
        });
        using var b = pubSub.Subscribe("events.after", (_, _) =>
        {
            later.TrySetResult();
            return Task.FromResult(DeliveryResult.Success);
        });

        await pubSub.PublishAsync("events.drop", new PubSubMessage("m-3", "t", Array.Empty<byte>()));
        // Topics are delivered independently: wait for the dropped message's one attempt (on a busy machine it
        // can come after a fixed pause), then give a redelivery as long as a retry's to show up.
        await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(500);
        await pubSub.PublishAsync("events.after", new PubSubMessage("m-4", "t", Array.Empty<byte>()));
        await later.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, attempts);
    }
}
