using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Testing;

/// <summary>
/// A stand-in for the Dapr sidecar, written from Dapr's API reference, for the part of it the product uses:
/// the gRPC API the Dapr SDK calls (<c>dapr.proto.runtime.v1.Dapr</c>: PublishEvent, GetState, SaveState,
/// DeleteState, with the SDK's own message types) and, towards the app, the HTTP subscription protocol
/// (<c>GET /dapr/subscribe</c>, then each event POSTed as a CloudEvent to its route, redelivered on RETRY).
/// State keeps versioned ETags and answers a mismatch with ABORTED, as daprd does. It records every call.
/// It is not Dapr: the adapters' contract with the real sidecar is only as good as this reading of the docs.
/// </summary>
public sealed class RecordingDaprSidecar : IAsyncDisposable
{
    private const string ServiceName = "dapr.proto.runtime.v1.Dapr";

    private WebApplication _app = null!;
    private readonly Dictionary<string, (ByteString Value, int Version)> _state = new(StringComparer.Ordinal);
    private readonly Lock _stateLock = new();
    private readonly HttpClient _toApp = new();

    private RecordingDaprSidecar(Uri address) => Address = address;

    /// <summary>The sidecar's gRPC API (h2c): what <c>Dapr:GrpcEndpoint</c> points at.</summary>
    public Uri Address { get; }

    /// <summary>Where deliveries go; set to the app's HTTP address to have publishes delivered.</summary>
    public Uri? AppAddress { get; set; }

    /// <summary>The app API token sent to the app in <c>dapr-api-token</c> (APP_API_TOKEN of daprd), or none.</summary>
    public string? AppApiToken { get; set; }

    /// <summary>Every gRPC call the app made, in order: the method name, the request and its headers.</summary>
    public ConcurrentQueue<SidecarCall> Calls { get; } = new();

    /// <summary>Every CloudEvent delivered to the app (the JSON as sent), one per attempt.</summary>
    public ConcurrentQueue<JsonObject> Deliveries { get; } = new();

    /// <summary>What the app answered for each delivery attempt: SUCCESS, RETRY, DROP, an HTTP status, or NO SUBSCRIBER: topic.</summary>
    public ConcurrentQueue<string> DeliveryOutcomes { get; } = new();

    /// <summary>Makes publishes fail with this status, as a sidecar whose broker is down would.</summary>
    public StatusCode? PublishFailure { get; set; }

    /// <summary>The requests of one method, in order.</summary>
    public IEnumerable<T> CallsOf<T>() where T : IMessage => Calls.Select(c => c.Request).OfType<T>();

    public static async Task<RecordingDaprSidecar> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<SidecarApi>, SidecarMethods>());
        var sidecar = new RecordingDaprSidecar(new Uri($"http://127.0.0.1:{port}"));
        builder.Services.AddSingleton(sidecar);
        sidecar._app = builder.Build();
        sidecar._app.MapGrpcService<SidecarApi>();
        await sidecar._app.StartAsync();
        return sidecar;
    }

    public async ValueTask DisposeAsync()
    {
        _toApp.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private Empty Publish(PublishEventRequest request)
    {
        if (PublishFailure is { } failure)
        {
            throw new RpcException(new Status(failure, $"error when publish to topic {request.Topic} in pubsub {request.PubsubName}: broker down"));
        }
        _ = Task.Run(() => DeliverAsync(request.Topic, CloudEventOf(request)));
        return new Empty();
    }

    // As daprd wraps a published payload: a JSON payload goes in "data", any other in "data_base64"; metadata
    // named cloudevent.* replaces the attribute of that name.
    private static JsonObject CloudEventOf(PublishEventRequest request)
    {
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = Guid.NewGuid().ToString(),
            ["source"] = "app",
            ["type"] = "com.dapr.event.sent",
            ["topic"] = request.Topic,
            ["pubsubname"] = request.PubsubName,
            ["datacontenttype"] = request.DataContentType,
            ["time"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        foreach (var (name, value) in request.Metadata.Where(m => m.Key.StartsWith("cloudevent.", StringComparison.Ordinal)))
        {
            cloudEvent[name["cloudevent.".Length..]] = value;
        }
        if (request.DataContentType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            cloudEvent["data"] = JsonNode.Parse(request.Data.ToStringUtf8());
        }
        else
        {
            cloudEvent["data_base64"] = request.Data.ToBase64();
        }
        return cloudEvent;
    }

    private GetStateResponse Get(GetStateRequest request)
    {
        lock (_stateLock)
        {
            return _state.TryGetValue(request.Key, out var item)
                ? new GetStateResponse { Data = item.Value, Etag = Version(item.Version) }
                : new GetStateResponse();
        }
    }

    private Empty Save(SaveStateRequest request)
    {
        lock (_stateLock)
        {
            // A real store checks every item's ETag before it writes any.
            foreach (var item in request.States)
            {
                if (item.Etag is { } etag && !Matches(item.Key, etag.Value))
                {
                    throw EtagMismatch(request.StoreName);
                }
            }
            foreach (var item in request.States)
            {
                var version = _state.TryGetValue(item.Key, out var existing) ? existing.Version + 1 : 1;
                _state[item.Key] = (item.Value, version);
            }
        }
        return new Empty();
    }

    private Empty Delete(DeleteStateRequest request)
    {
        lock (_stateLock)
        {
            if (request.Etag is { } etag && !Matches(request.Key, etag.Value))
            {
                throw EtagMismatch(request.StoreName);
            }
            _state.Remove(request.Key);
        }
        return new Empty();
    }

    private bool Matches(string key, string etag) => _state.TryGetValue(key, out var current) && Version(current.Version) == etag;

    private static string Version(int version) => version.ToString(CultureInfo.InvariantCulture);

    private static RpcException EtagMismatch(string store) =>
        new(new Status(StatusCode.Aborted, $"failed saving state in state store {store}: possible etag mismatch. error from state store: ERR Error running script"));

    // Like daprd with an HTTP app: find the topic's route in the app's subscription list, POST the CloudEvent,
    // and read the outcome; RETRY (or a non-200 answer) is redelivered a few times, DROP and SUCCESS end it.
    private async Task DeliverAsync(string topic, JsonObject cloudEvent)
    {
        if (AppAddress is null)
        {
            return;
        }
        using var list = ToApp(HttpMethod.Get, new Uri(AppAddress, "/dapr/subscribe"));
        using var listed = await _toApp.SendAsync(list);
        var subscriptions = JsonNode.Parse(await listed.EnsureSuccessStatusCode().Content.ReadAsStringAsync())!.AsArray();
        var route = subscriptions.FirstOrDefault(s => s!["topic"]!.GetValue<string>() == topic)?["route"]?.GetValue<string>();
        if (route is null)
        {
            DeliveryOutcomes.Enqueue($"NO SUBSCRIBER: {topic}");
            return;
        }
        for (var attempt = 0; attempt < 5; attempt++)
        {
            Deliveries.Enqueue(cloudEvent);
            using var delivery = ToApp(HttpMethod.Post, new Uri(AppAddress, route));
            delivery.Content = new StringContent(cloudEvent.ToJsonString(), System.Text.Encoding.UTF8, "application/cloudevents+json");
            using var response = await _toApp.SendAsync(delivery);
            var outcome = response.StatusCode == HttpStatusCode.OK
                ? JsonNode.Parse(await response.Content.ReadAsStringAsync())?["status"]?.GetValue<string>() ?? "SUCCESS"
                : ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            DeliveryOutcomes.Enqueue(outcome);
            if (outcome is "SUCCESS" or "DROP")
            {
                return;
            }
            await Task.Delay(50);
        }
    }

    private HttpRequestMessage ToApp(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        if (AppApiToken is not null)
        {
            request.Headers.Add("dapr-api-token", AppApiToken);
        }
        return request;
    }

    private TResponse Record<TRequest, TResponse>(string method, TRequest request, ServerCallContext context, Func<TRequest, TResponse> handle)
        where TRequest : IMessage
    {
        Calls.Enqueue(new SidecarCall(method, request, context.RequestHeaders));
        return handle(request);
    }

    /// <summary>One gRPC call to the sidecar.</summary>
    public sealed record SidecarCall(string Method, IMessage Request, Metadata Headers)
    {
        public string? Header(string name) => Headers.GetValue(name);
    }

    /// <summary>The service instance the gRPC runtime creates per call; the methods are the sidecar's.</summary>
    private sealed class SidecarApi(RecordingDaprSidecar sidecar)
    {
        public Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) =>
            Task.FromResult(sidecar.Record("PublishEvent", request, context, sidecar.Publish));

        public Task<GetStateResponse> GetState(GetStateRequest request, ServerCallContext context) =>
            Task.FromResult(sidecar.Record("GetState", request, context, sidecar.Get));

        public Task<Empty> SaveState(SaveStateRequest request, ServerCallContext context) =>
            Task.FromResult(sidecar.Record("SaveState", request, context, sidecar.Save));

        public Task<Empty> DeleteState(DeleteStateRequest request, ServerCallContext context) =>
            Task.FromResult(sidecar.Record("DeleteState", request, context, sidecar.Delete));
    }

    // Dapr.Protos ships the client of dapr.proto.runtime.v1.Dapr only, so the server's methods are bound here by
    // name, with the package's message types.
    private sealed class SidecarMethods : IServiceMethodProvider<SidecarApi>
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<SidecarApi> context)
        {
            context.AddUnaryMethod(Unary<PublishEventRequest, Empty>("PublishEvent"), [], (api, request, call) => api.PublishEvent(request, call));
            context.AddUnaryMethod(Unary<GetStateRequest, GetStateResponse>("GetState"), [], (api, request, call) => api.GetState(request, call));
            context.AddUnaryMethod(Unary<SaveStateRequest, Empty>("SaveState"), [], (api, request, call) => api.SaveState(request, call));
            context.AddUnaryMethod(Unary<DeleteStateRequest, Empty>("DeleteState"), [], (api, request, call) => api.DeleteState(request, call));
        }

        private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
            where TRequest : class, IMessage<TRequest>, new()
            where TResponse : class, IMessage<TResponse>, new() =>
            new(MethodType.Unary, ServiceName, name, Marshal<TRequest>(), Marshal<TResponse>());

        private static Marshaller<T> Marshal<T>() where T : class, IMessage<T>, new()
        {
            var parser = new MessageParser<T>(() => new T());
            return Marshallers.Create(message => message.ToByteArray(), parser.ParseFrom);
        }
    }
}
