using System.Collections.Concurrent;
using System.Text.Json;
using Dapr;
using Dapr.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>
/// Pub/sub through the Dapr sidecar with the Dapr SDK. Publishing is <see cref="DaprClient.PublishByteEventAsync"/>
/// (gRPC to the sidecar) with the message's id and type as the CloudEvent's own (<c>cloudevent.*</c> metadata), so a
/// redelivery keeps the id subscribers dedupe on. Each subscribed topic becomes an endpoint carrying Dapr's topic
/// metadata, which Dapr.AspNetCore's <c>MapSubscribeHandler</c> lists on <c>GET /dapr/subscribe</c>; the SDK's CloudEvents
/// middleware unwraps a delivery to its payload and forwards <c>id</c> and <c>type</c> as headers.
/// </summary>
public sealed partial class DaprPubSub(DaprClient dapr, IOptions<DaprOptions> options, ILogger<DaprPubSub> logger) : IPubSub, IDisposable
{
    /// <summary>The CloudEvent attributes the middleware forwards as <c>Cloudevent.{name}</c> request headers.</summary>
    internal static readonly string[] ForwardedAttributes = ["id", "type"];

    private const string HeaderPrefix = "Cloudevent.";

    private readonly ConcurrentDictionary<string, PubSubHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>The delivery endpoints of the topics subscribed so far; routing reads it whenever it changes.</summary>
    internal TopicEndpoints Endpoints { get; } = new();

    private DaprOptions Options => options.Value;

    /// <summary>Whether deliveries must carry the app API token (<see cref="DaprOptions.AppApiToken"/>).</summary>
    internal bool SidecarOnly => Options.AppApiToken is { Length: > 0 };

    /// <inheritdoc/>
    public async Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cloudevent.id"] = message.Id,
            ["cloudevent.type"] = message.Type,
            ["cloudevent.source"] = Options.AppId,
        };
        try
        {
            await dapr.PublishByteEventAsync(Options.PubSubName, topic, message.Data, message.ContentType, metadata, cancellationToken);
        }
        catch (DaprException ex)
        {
            throw new PubSubException($"Dapr did not publish to {topic}: {DaprErrors.Describe(ex)}", ex);
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        if (!_handlers.TryAdd(topic, handler))
        {
            throw new InvalidOperationException($"Topic {topic} already has a subscriber in this app.");
        }
        Endpoints.Add(Options.PubSubName, topic, SidecarOnly, context => DeliverAsync(topic, context));
        return new Subscription(this, topic);
    }

    /// <inheritdoc/>
    public void Dispose() => Endpoints.Dispose();

    /// <summary>
    /// Runs ahead of the SDK's CloudEvents middleware, which throws on a body that claims to be a CloudEvent and is
    /// not JSON. Answered as a 500, Dapr would deliver that poison message again and again; it can never be read, so DROP.
    /// </summary>
    internal async Task DropUnreadableAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (JsonException ex) when (context.Request.Path.StartsWithSegments(TopicEndpoints.DeliveryPath) && !context.Response.HasStarted)
        {
            LogUnreadable(ex, context.Request.Path);
            await AnswerAsync(context, DeliveryResult.Drop);
        }
    }

    private async Task DeliverAsync(string topic, HttpContext context) => await AnswerAsync(context, await HandleAsync(topic, context));

    // Dapr reads the outcome from a 200 answer's "status"; any other answer means RETRY to it.
    private static Task AnswerAsync(HttpContext context, DeliveryResult result) =>
        context.Response.WriteAsJsonAsync(new { status = result.ToString().ToUpperInvariant() }, context.RequestAborted);

    private async Task<DeliveryResult> HandleAsync(string topic, HttpContext context)
    {
        var id = context.Request.Headers[HeaderPrefix + "id"].ToString();
        var type = context.Request.Headers[HeaderPrefix + "type"].ToString();
        if (!_handlers.TryGetValue(topic, out var handler))
        {
            LogUnsubscribed(topic, id);
            return DeliveryResult.Drop;
        }
        if (id.Length == 0 || type.Length == 0)
        {
            // Not a CloudEvent (the middleware passes other bodies through untouched), or one without an id or type.
            LogMalformed(topic, context.Request.ContentType);
            return DeliveryResult.Drop;
        }
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var message = new PubSubMessage(id, type, body.ToArray(), context.Request.ContentType ?? "application/octet-stream");
        try
        {
            return await handler(message, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogHandlerFailed(ex, topic, id);
            return DeliveryResult.Retry;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped event {EventId} delivered to {Topic}: nothing here subscribes to that topic")]
    private partial void LogUnsubscribed(string topic, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a delivery to {Path} whose body is not a readable CloudEvent")]
    private partial void LogUnreadable(Exception exception, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped a delivery to {Topic} that is not a CloudEvent with an id and a type (content type {ContentType})")]
    private partial void LogMalformed(string topic, string? contentType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The subscriber of {Topic} failed on event {EventId}; Dapr will deliver it again")]
    private partial void LogHandlerFailed(Exception exception, string topic, string eventId);

    private sealed class Subscription(DaprPubSub owner, string topic) : IDisposable
    {
        public void Dispose()
        {
            owner._handlers.TryRemove(topic, out _);
            owner.Endpoints.Remove(topic);
        }
    }
}

/// <summary>Words for a failed call to the sidecar: its gRPC status when it answered, else why it could not be reached.</summary>
internal static class DaprErrors
{
    public static string Describe(DaprException exception) => exception.InnerException is Grpc.Core.RpcException rpc
        ? $"{rpc.StatusCode} {rpc.Status.Detail}"
        : exception.InnerException?.Message ?? exception.Message;
}
