namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>How to reach the Dapr sidecar; bound from the "Dapr" configuration section.</summary>
public sealed class DaprOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Dapr";

    /// <summary>The sidecar's HTTP API (the SDK's HTTP calls; the gateway's relay of uploads). Default: http://127.0.0.1:$DAPR_HTTP_PORT, or port 3500.</summary>
    public Uri HttpEndpoint { get; set; } = new($"http://127.0.0.1:{Environment.GetEnvironmentVariable("DAPR_HTTP_PORT") ?? "3500"}");

    /// <summary>The sidecar's gRPC API: the SDK's publish and state calls, and service invocation with <c>dapr-app-id</c> metadata. Default: http://127.0.0.1:$DAPR_GRPC_PORT, or port 50001.</summary>
    public Uri GrpcEndpoint { get; set; } = new($"http://127.0.0.1:{Environment.GetEnvironmentVariable("DAPR_GRPC_PORT") ?? "50001"}");

    /// <summary>The token the sidecar expects in <c>dapr-api-token</c>. Default: $DAPR_API_TOKEN, or none.</summary>
    public string? ApiToken { get; set; } = Environment.GetEnvironmentVariable("DAPR_API_TOKEN");

    /// <summary>
    /// The token the sidecar sends the app in <c>dapr-api-token</c> (Dapr's app API token). When set, event deliveries
    /// and <c>GET /dapr/subscribe</c> are refused without it (401), so only the sidecar can hand this app events.
    /// Default: $APP_API_TOKEN, or none (then anyone who reaches the app's port can deliver: keep it private).
    /// </summary>
    public string? AppApiToken { get; set; } = Environment.GetEnvironmentVariable("APP_API_TOKEN");

    /// <summary>The authorization policy (Dapr.AspNetCore's) that requires <see cref="AppApiToken"/>.</summary>
    public const string SidecarPolicy = "Dapr";

    /// <summary>The CloudEvent <c>source</c> of published events: this app's id. Default: $APP_ID, or "iwouldargue".</summary>
    public string AppId { get; set; } = Environment.GetEnvironmentVariable("APP_ID") ?? "iwouldargue";

    /// <summary>The pub/sub component name. Default: "pubsub" (components/pubsub.yaml).</summary>
    public string PubSubName { get; set; } = BuildingBlockNames.PubSub;

    /// <summary>The state store component name. Default: "statestore" (components/statestore.yaml).</summary>
    public string StateStoreName { get; set; } = BuildingBlockNames.StateStore;
}
