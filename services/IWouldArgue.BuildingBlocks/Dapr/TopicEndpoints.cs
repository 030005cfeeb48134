using Dapr;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.Primitives;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>
/// One delivery endpoint per subscribed topic, <c>POST /dapr/pubsub/{topic}</c>, carrying Dapr's
/// <see cref="TopicAttribute"/> metadata. Topics are subscribed at run time (a Live instance's own topic is named
/// after the instance), so this is a data source that changes rather than routes mapped once at start-up.
/// </summary>
internal sealed class TopicEndpoints : EndpointDataSource, IDisposable
{
    /// <summary>The path under which events are delivered: <c>/dapr/pubsub/{topic}</c>.</summary>
    public const string DeliveryPath = "/dapr/pubsub";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Endpoint> _byTopic = new(StringComparer.Ordinal);
    private IReadOnlyList<Endpoint> _endpoints = [];
    private CancellationTokenSource _changed = new();

    public override IReadOnlyList<Endpoint> Endpoints => Volatile.Read(ref _endpoints);

    public override IChangeToken GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    /// <summary>Adds the topic's endpoint; with <paramref name="sidecarOnly"/> it answers only callers holding the app API token.</summary>
    public void Add(string pubSubName, string topic, bool sidecarOnly, RequestDelegate deliver)
    {
        var builder = new RouteEndpointBuilder(deliver, RoutePatternFactory.Parse(DeliveryPath + "/" + Uri.EscapeDataString(topic)), order: 0)
        {
            DisplayName = $"Dapr delivery: {topic}",
        };
        builder.Metadata.Add(new TopicAttribute(pubSubName, topic));
        builder.Metadata.Add(new HttpMethodMetadata(["POST"]));
        // The sidecar is the caller; it carries no user, only (when configured) the app API token.
        builder.Metadata.Add(sidecarOnly ? new AuthorizeAttribute(DaprOptions.SidecarPolicy) : new AllowAnonymousAttribute());
        Update(endpoints => endpoints[topic] = builder.Build());
    }

    public void Remove(string topic) => Update(endpoints => endpoints.Remove(topic));

    public void Dispose() => _changed.Dispose();

    private void Update(Action<Dictionary<string, Endpoint>> change)
    {
        CancellationTokenSource previous;
        lock (_lock)
        {
            change(_byTopic);
            Volatile.Write(ref _endpoints, [.. _byTopic.Values]);
            previous = _changed;
            Volatile.Write(ref _changed, new CancellationTokenSource());
        }
        // Not disposed: a consumer may still register on its token, which must then fire at once.
        previous.Cancel();
    }
}
