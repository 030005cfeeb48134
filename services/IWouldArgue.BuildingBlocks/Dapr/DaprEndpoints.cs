using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>The routes the Dapr sidecar calls on the app: the subscription list and event delivery.</summary>
public static class DaprEndpoints
{
    /// <summary>The path prefix events are delivered to: <c>/dapr/pubsub/{topic}</c>.</summary>
    public const string DeliveryPrefix = "/dapr/pubsub/";

    /// <summary>The route Dapr reads the app's subscriptions from.</summary>
    public const string SubscribeRoute = "/dapr/subscribe";

    /// <summary>Maps <c>GET /dapr/subscribe</c> and <c>POST /dapr/pubsub/{topic}</c>.</summary>
    public static IEndpointRouteBuilder MapDaprPubSub(this IEndpointRouteBuilder endpoints)
    {
        var pubSub = endpoints.ServiceProvider.GetRequiredService<DaprPubSub>();
        var pubSubName = endpoints.ServiceProvider.GetRequiredService<DaprHttp>().Options.PubSubName;

        // Dapr reads this once when the sidecar starts; subscriptions must be made before the app listens.
        endpoints.MapGet(SubscribeRoute, () => Results.Json(pubSub.Topics.Select(topic => new
        {
            pubsubname = pubSubName,
            topic,
            route = DeliveryPrefix + Uri.EscapeDataString(topic),
        }))).AllowAnonymous();

        endpoints.MapPost(DeliveryPrefix + "{topic}", async (string topic, HttpContext context) =>
        {
            CloudEvent? cloudEvent;
            try
            {
                cloudEvent = await JsonSerializer.DeserializeAsync<CloudEvent>(context.Request.Body, cancellationToken: context.RequestAborted);
            }
            catch (JsonException)
            {
                cloudEvent = null;
            }
            var result = cloudEvent is null
                ? DeliveryResult.Drop
                : await pubSub.DeliverAsync(topic, cloudEvent, context.RequestAborted);
            // Dapr reads the outcome from a 200 answer's "status"; any other answer would mean RETRY.
            return Results.Json(new { status = result.ToString().ToUpperInvariant() });
        }).AllowAnonymous();
        return endpoints;
    }
}
