using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>
/// Pub/sub through the Dapr sidecar: publishes CloudEvents to <c>POST /v1.0/publish/{pubsub}/{topic}</c>;
/// subscriptions are announced on <c>GET /dapr/subscribe</c> and delivered to <c>POST /dapr/pubsub/{topic}</c>
/// (see <see cref="DaprEndpoints"/>).
/// </summary>
public sealed class DaprPubSub(DaprHttp dapr) : IPubSub
{
    private readonly ConcurrentDictionary<string, PubSubHandler> _handlers = new(StringComparer.Ordinal);

    internal IEnumerable<string> Topics => _handlers.Keys;

    /// <inheritdoc/>
    public async Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var body = JsonSerializer.SerializeToUtf8Bytes(CloudEvent.From(message, dapr.Options.AppId));
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(CloudEvent.ContentType);
        var path = $"v1.0/publish/{Uri.EscapeDataString(dapr.Options.PubSubName)}/{Uri.EscapeDataString(topic)}";
        HttpResponseMessage response;
        try
        {
            response = await dapr.SendAsync(HttpMethod.Post, path, content, ifMatch: null, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new PubSubException($"The Dapr sidecar at {dapr.Options.HttpEndpoint} could not be reached.", ex);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                var detail = await response.Content.ReadAsStringAsync(cancellationToken);
                throw new PubSubException($"Dapr did not publish to {topic}: HTTP {(int)response.StatusCode} {detail}");
            }
        }
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(string topic, PubSubHandler handler)
    {
        if (!_handlers.TryAdd(topic, handler))
        {
            throw new InvalidOperationException($"Topic {topic} already has a subscriber in this app.");
        }
        return new Subscription(this, topic);
    }

    /// <summary>Hands a delivered event to the topic's subscriber; what Dapr should do next comes back.</summary>
    internal async Task<DeliveryResult> DeliverAsync(string topic, CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        if (!_handlers.TryGetValue(topic, out var handler) || cloudEvent.ToMessage() is not { } message)
        {
            return DeliveryResult.Drop;
        }
        try
        {
            return await handler(message, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return DeliveryResult.Retry;
        }
    }

    private sealed class Subscription(DaprPubSub owner, string topic) : IDisposable
    {
        public void Dispose() => owner._handlers.TryRemove(topic, out _);
    }
}
