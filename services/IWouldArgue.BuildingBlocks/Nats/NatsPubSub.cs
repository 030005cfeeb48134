using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace IWouldArgue.BuildingBlocks.Nats;

/// <summary>
/// Pub/sub on NATS JetStream, for several processes without Dapr. Every topic is a subject of one stream, so a message
/// is kept (<see cref="NatsOptions.MessageRetention"/>) until its subscribers took it. Publishing waits for the stream's
/// acknowledgement and carries the message id as <c>Nats-Msg-Id</c>, so a publish retried after a lost ack is stored
/// once. Each subscription is a durable consumer named for this app (<see cref="NatsOptions.ConsumerGroup"/>) and the
/// topic: the app's instances share its messages, each handled by one of them, and a restarted instance resumes where
/// the app left off. SUCCESS acknowledges, RETRY asks for redelivery after a growing pause, DROP terminates the
/// message; a handler that does not answer within <see cref="NatsOptions.AckWait"/> gets it again. Messages arrive in
/// publish order, except that a retried one, or one an instance had taken when it stopped, comes back later (consumers
/// repair order by sequence numbers anyway).
/// </summary>
public sealed partial class NatsPubSub : IPubSub, IAsyncDisposable
{
    private const string TypeHeader = "iwouldargue-type";
    private const string ContentTypeHeader = "content-type";
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(5);
    // A new subscription starts with what was published from a little before it was asked for: the stream stamps
    // messages with the server's clock, which may run behind ours (a few messages twice are fine: at least once).
    private static readonly TimeSpan StartMargin = TimeSpan.FromSeconds(5);
    private readonly NatsConnection _connection;
    private readonly NatsJSContext _js;
    private readonly NatsOptions _options;
    private readonly string _group;
    private readonly ILogger<NatsPubSub> _logger;
    private readonly ConcurrentDictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _streamReady = new(1, 1);
    private bool _streamExists;

    /// <summary>Pub/sub over <paramref name="connection"/>, named <paramref name="group"/> for its subscriptions.</summary>
    public NatsPubSub(NatsConnection connection, IOptions<NatsOptions> options, string group, ILogger<NatsPubSub> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _connection = connection;
        _js = new NatsJSContext(connection);
        _options = options.Value;
        _group = group;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        // A publish waits for the stream's acknowledgement, but not forever: while NATS is unreachable the caller (the
        // outbox) hears so and publishes again later, with the same id.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(PublishTimeout);
        try
        {
            await EnsureStreamAsync(timeout.Token);
            var headers = new NatsHeaders { [TypeHeader] = message.Type, [ContentTypeHeader] = message.ContentType };
            var ack = await _js.PublishAsync(Subject(topic), message.Data.ToArray(), headers: headers,
                opts: new NatsJSPubOpts { MsgId = message.Id }, cancellationToken: timeout.Token);
            if (!ack.Duplicate)
            {
                // A duplicate is a publish retried after a lost acknowledgement: stored once already, as it should be.
                ack.EnsureSuccess();
            }
        }
        catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException
            || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new PubSubException($"NATS did not take the message for {topic}: {(e is OperationCanceledException ? $"no acknowledgement within {PublishTimeout.TotalSeconds} s" : e.Message)}", e);
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        var subscription = new Subscription(this, topic, handler);
        if (!_subscriptions.TryAdd(topic, subscription))
        {
            throw new InvalidOperationException($"Topic {topic} already has a subscriber in this app.");
        }
        subscription.Start();
        return subscription;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions.Values)
        {
            await subscription.StopAsync();
        }
        _streamReady.Dispose();
    }

    private string Subject(string topic) => $"{_options.SubjectPrefix}.{NatsSubjects.Token(topic)}";

    // The stream is made (or its settings brought up to date) once per process, before the first publish or subscription.
    private async Task EnsureStreamAsync(CancellationToken cancellationToken)
    {
        if (_streamExists)
        {
            return;
        }
        await _streamReady.WaitAsync(cancellationToken);
        try
        {
            if (!_streamExists)
            {
                await _js.CreateOrUpdateStreamAsync(new StreamConfig(_options.Stream, [$"{_options.SubjectPrefix}.>"])
                {
                    Storage = StreamConfigStorage.File,
                    MaxAge = _options.MessageRetention,
                    DuplicateWindow = TimeSpan.FromMinutes(2),
                }, cancellationToken);
                _streamExists = true;
            }
        }
        finally
        {
            _streamReady.Release();
        }
    }

    // Consumes until stopped; a lost connection or a deleted consumer is retried after a pause, never given up.
    private async Task ConsumeAsync(Subscription subscription, CancellationToken stopping)
    {
        var durable = NatsSubjects.Durable(_group, subscription.Topic);
        var failures = 0;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await EnsureStreamAsync(stopping);
                var consumer = await ConsumerAsync(durable, subscription, stopping);
                Log.Consuming(_logger, subscription.Topic, durable);
                // Heartbeats every 5 s: after a broker restart the client notices a silent pull within seconds and pulls again.
                var pulling = new NatsJSConsumeOpts { MaxMsgs = 1000, Expires = TimeSpan.FromSeconds(30), IdleHeartbeat = TimeSpan.FromSeconds(5) };
                await foreach (var delivered in consumer.ConsumeAsync<byte[]>(opts: pulling, cancellationToken: stopping))
                {
                    failures = 0;
                    await HandleAsync(subscription, delivered, stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NatsException or NatsJSException or TimeoutException)
            {
                failures++;
                Log.ConsumeFailed(_logger, subscription.Topic, e.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    // The app's consumer of the topic: the existing one (a restarted instance resumes where the app left off), or a new
    // one that starts from the moment the subscription was asked for, so nothing published after Subscribe returned
    // is missed even though the consumer is made a moment later.
    private async Task<INatsJSConsumer> ConsumerAsync(string durable, Subscription subscription, CancellationToken stopping)
    {
        try
        {
            return await _js.GetConsumerAsync(_options.Stream, durable, stopping);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return await _js.CreateOrUpdateConsumerAsync(_options.Stream, new ConsumerConfig(durable)
            {
                FilterSubject = Subject(subscription.Topic),
                AckPolicy = ConsumerConfigAckPolicy.Explicit,
                DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartTime,
                OptStartTime = subscription.AskedAt - StartMargin,
                AckWait = _options.AckWait,
                MaxAckPending = 1000,
                // An app that is gone for good (an instance's own topic) does not keep its consumer forever.
                InactiveThreshold = TimeSpan.FromHours(1),
            }, stopping);
        }
    }

    private async Task HandleAsync(Subscription subscription, INatsJSMsg<byte[]> delivered, CancellationToken stopping)
    {
        var headers = delivered.Headers;
        var id = headers?.TryGetValue("Nats-Msg-Id", out var msgId) == true ? msgId.ToString() : "";
        var type = headers?.TryGetValue(TypeHeader, out var t) == true ? t.ToString() : "";
        var contentType = headers?.TryGetValue(ContentTypeHeader, out var ct) == true ? ct.ToString() : "application/octet-stream";
        var message = new PubSubMessage(id, type, delivered.Data ?? [], contentType);
        DeliveryResult result;
        try
        {
            result = await subscription.Handler(message, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.HandlerFailed(_logger, subscription.Topic, id, ex);
            result = DeliveryResult.Retry;
        }
        switch (result)
        {
            case DeliveryResult.Success:
                await delivered.AckAsync(cancellationToken: stopping);
                break;
            case DeliveryResult.Drop:
                Log.Dropped(_logger, subscription.Topic, id);
                await delivered.AckTerminateAsync(cancellationToken: stopping);
                break;
            default:
                var attempt = (int)Math.Min(delivered.Metadata?.NumDelivered ?? 1, 10);
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxRetryDelay.TotalMilliseconds, 50 * Math.Pow(2, attempt - 1)));
                await delivered.NakAsync(delay: delay, cancellationToken: stopping);
                break;
        }
    }

    private sealed class Subscription(NatsPubSub owner, string topic, PubSubHandler handler) : IDisposable
    {
        private readonly CancellationTokenSource _stopping = new();
        private Task _consuming = Task.CompletedTask;

        public string Topic { get; } = topic;

        public PubSubHandler Handler { get; } = handler;

        public DateTimeOffset AskedAt { get; } = DateTimeOffset.UtcNow;

        public void Start() => _consuming = Task.Run(() => owner.ConsumeAsync(this, _stopping.Token));

        public async Task StopAsync()
        {
            if (!_stopping.IsCancellationRequested)
            {
                await _stopping.CancelAsync();
            }
            await _consuming.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        public void Dispose()
        {
            owner._subscriptions.TryRemove(Topic, out _);
            _stopping.Cancel();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Consuming {Topic} as {Durable}")]
        public static partial void Consuming(ILogger logger, string topic, string durable);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Consuming {Topic} failed ({Reason}); trying again shortly")]
        public static partial void ConsumeFailed(ILogger logger, string topic, string reason);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The handler of {Topic} failed on message {MessageId}; it is delivered again")]
        public static partial void HandlerFailed(ILogger logger, string topic, string messageId, Exception exception);

        [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Dropped message {MessageId} of {Topic}, as its handler asked")]
        public static partial void Dropped(ILogger logger, string topic, string messageId);
    }
}
