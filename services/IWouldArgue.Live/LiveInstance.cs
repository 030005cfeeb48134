using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Live.Fanout;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Live;

/// <summary>This Live instance's identity: its id (and pub/sub topic) and the address it is reached at.</summary>
public sealed record LiveInstanceInfo(string Id, string Address)
{
    /// <summary>The configured id, or the host name with a random suffix (unique per process).</summary>
    public static LiveInstanceInfo From(LiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var id = string.IsNullOrWhiteSpace(options.InstanceId)
            ? $"{Environment.MachineName.ToLowerInvariant()}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}"
            : options.InstanceId.Trim();
        return new LiveInstanceInfo(id, options.AdvertisedAddress);
    }
}

/// <summary>
/// Runs this instance: one pub/sub subscription (its own topic) feeding the hub, its entry among the live
/// instances renewed on a heartbeat, and on shutdown every watcher told to resync (so it resumes on another
/// instance) before the server stops waiting for open streams.
/// </summary>
internal sealed partial class LiveInstance(
    LiveHub hub,
    LiveRoutes routes,
    LiveInstanceInfo instance,
    IPubSub pubSub,
    IHostApplicationLifetime lifetime,
    IOptions<LiveOptions> options,
    ILogger<LiveInstance> logger) : BackgroundService, IHostedLifecycleService
{
    private IDisposable? _subscription;

    // Subscribes before any hosted service starts, the web server included: a Dapr sidecar reads the
    // app's subscriptions once, as soon as the app's port answers.
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        var topic = LiveRoutes.TopicOf(instance.Id);
        _subscription = pubSub.Subscribe(topic, OnMessageAsync);
        lifetime.ApplicationStopping.Register(() => _ = hub.StopAsync());
        Log.Started(logger, instance.Id, topic);
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            // Bounded like every routing write, and left at once when stopping: a renewal the store never answers (its
            // token ignored, as by a broker gone mid-request) held the host's stop until its 30 s shutdown timeout.
            if (await LiveHub.RoutingWriteAsync(t => routes.Instances.UpsertAsync(instance.Id, instance.Address, options.Value.RegistrationInterval * 3, t), stoppingToken) is { } failure
                && !stoppingToken.IsCancellationRequested)
            {
                Log.HeartbeatFailed(logger, failure);
            }
            try
            {
                await Task.Delay(options.Value.RegistrationInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        Interlocked.Exchange(ref _subscription, null)?.Dispose();
        try
        {
            // Bounded by the host's shutdown timeout: watchers were told to resync; a pump still busy is left behind.
            await hub.StopAsync().WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Log.StoppedWithoutWaiting(logger);
            return;
        }
        if (await LiveHub.RoutingWriteAsync(t => routes.Instances.RemoveAsync(instance.Id, t), cancellationToken) is { } failure)
        {
            Log.HeartbeatFailed(logger, failure);
        }
    }

    private Task<DeliveryResult> OnMessageAsync(PubSubMessage message, CancellationToken cancellationToken)
    {
        DiscussionEvent e;
        try
        {
            e = DiscussionEvent.Parser.ParseFrom(message.Data.Span);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            Log.Malformed(logger, message.Id, ex);
            return Task.FromResult(DeliveryResult.Drop);
        }
        hub.Deliver(e);
        return Task.FromResult(DeliveryResult.Success);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "Live instance {InstanceId} started; it receives events on topic {Topic}")]
        public static partial void Started(ILogger logger, string instanceId, string topic);

        [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "Could not renew this Live instance's registration; retrying")]
        public static partial void HeartbeatFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "Dropped malformed event message {MessageId}")]
        public static partial void Malformed(ILogger logger, string messageId, Exception exception);

        [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Stopped before every discussion's pump had finished (the shutdown timeout passed); their routing entries expire by themselves")]
        public static partial void StoppedWithoutWaiting(ILogger logger);
    }
}
