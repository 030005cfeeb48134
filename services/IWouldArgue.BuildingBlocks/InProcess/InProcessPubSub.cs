using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.BuildingBlocks.InProcess;

/// <summary>
/// Pub/sub within this process: the embedded default. Each subscription gets every message of its topic,
/// in publish order, on its own queue, so a slow subscriber delays only itself. RETRY redelivers the same
/// message after a growing pause (holding back the ones behind it, as an ordered queue must); DROP discards it.
/// </summary>
public sealed partial class InProcessPubSub(ILogger<InProcessPubSub> logger) : IPubSub, IAsyncDisposable
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, ImmutableSubscribers> _topics = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <inheritdoc/>
    public Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
    {
        if (_topics.TryGetValue(topic, out var subscribers))
        {
            foreach (var subscriber in subscribers.Items)
            {
                subscriber.Queue.Writer.TryWrite(message);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        var subscriber = new Subscriber(this, topic, handler);
        _topics.AddOrUpdate(topic, _ => new([subscriber]), (_, s) => new([.. s.Items, subscriber]));
        subscriber.Start(_stopping.Token);
        return subscriber;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private void Remove(Subscriber subscriber) =>
        _topics.AddOrUpdate(subscriber.Topic, _ => new([]), (_, s) => new([.. s.Items.Where(x => x != subscriber)]));

    private async Task DeliverAsync(Subscriber subscriber, CancellationToken stopping)
    {
        await foreach (var message in subscriber.Queue.Reader.ReadAllAsync(stopping))
        {
            var delay = TimeSpan.FromMilliseconds(50);
            while (true)
            {
                DeliveryResult result;
                try
                {
                    result = await subscriber.Handler(message, stopping);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Log.HandlerFailed(logger, subscriber.Topic, message.Id, ex);
                    result = DeliveryResult.Retry;
                }
                if (result != DeliveryResult.Retry)
                {
                    if (result == DeliveryResult.Drop)
                    {
                        Log.Dropped(logger, subscriber.Topic, message.Id);
                    }
                    break;
                }
                await Task.Delay(delay, stopping);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private sealed record ImmutableSubscribers(Subscriber[] Items);

    private sealed class Subscriber(InProcessPubSub owner, string topic, PubSubHandler handler) : IDisposable
    {
        private readonly CancellationTokenSource _cancel = new();
        private int _disposed;

        public string Topic { get; } = topic;

        public PubSubHandler Handler { get; } = handler;

        public Channel<PubSubMessage> Queue { get; } = Channel.CreateUnbounded<PubSubMessage>(new UnboundedChannelOptions { SingleReader = true });

        public void Start(CancellationToken stopping)
        {
            var linked = CancellationTokenSource.CreateLinkedTokenSource(stopping, _cancel.Token);
            _ = Task.Run(async () =>
            {
                try
                {
                    await owner.DeliverAsync(this, linked.Token);
                }
                catch (OperationCanceledException)
                {
                    // Unsubscribed or shutting down.
                }
                finally
                {
                    linked.Dispose();
                }
            }, CancellationToken.None);
        }

        // Idempotent: a host stopped twice unsubscribes twice.
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }
            owner.Remove(this);
            Queue.Writer.TryComplete();
            _cancel.Cancel();
            _cancel.Dispose();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Subscriber of {Topic} failed on message {MessageId}; it will be delivered again")]
        public static partial void HandlerFailed(ILogger logger, string topic, string messageId, Exception exception);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Subscriber of {Topic} dropped message {MessageId}")]
        public static partial void Dropped(ILogger logger, string topic, string messageId);
    }
}
