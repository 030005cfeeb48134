using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Testing;

/// <summary>
/// A stand-in for the Dapr sidecar's HTTP API, written from Dapr's API reference: it records every request,
/// keeps state with versioned ETags (409 on a mismatch, 204 for a missing key), and delivers published
/// CloudEvents to the app's routes from <c>GET /dapr/subscribe</c>, redelivering on RETRY as Dapr does.
/// It is not Dapr: the adapters' contract with the real sidecar is only as good as this reading of the docs.
/// </summary>
public sealed class RecordingDaprSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, (string Value, int Version)> _state = new();
    private readonly HttpClient _toApp = new();
    private readonly Lock _stateLock = new();

    private RecordingDaprSidecar(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Where delivery goes; set to the app's address to have publishes delivered.</summary>
    public Uri? AppAddress { get; set; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>What the app answered for each delivery attempt: SUCCESS, RETRY, DROP or an HTTP status.</summary>
    public ConcurrentQueue<string> DeliveryOutcomes { get; } = new();

    /// <summary>Makes publishes fail with this HTTP status, as a sidecar with a broken broker would.</summary>
    public int? PublishFailure { get; set; }

    public static async Task<RecordingDaprSidecar> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var sidecar = new RecordingDaprSidecar(app, new Uri($"http://127.0.0.1:{port}"));
        sidecar.Map(app);
        await app.StartAsync();
        return sidecar;
    }

    public async ValueTask DisposeAsync()
    {
        _toApp.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync();
            context.Request.Body.Position = 0;
            var target = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()!.RawTarget;
            Requests.Enqueue(new RecordedRequest(context.Request.Method, target,
                context.Request.ContentType, body, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
            await next(context);
        });

        app.MapPost("/v1.0/publish/{pubsub}/{topic}", async (string topic, HttpContext context) =>
        {
            if (PublishFailure is { } status)
            {
                return Results.Json(new { errorCode = "ERR_PUBSUB_PUBLISH_MESSAGE", message = "broker down" }, statusCode: status);
            }
            var body = Requests.Last(r => r.Method == "POST" && r.Path.StartsWith("/v1.0/publish/", StringComparison.Ordinal)).Body;
            _ = Task.Run(() => DeliverAsync(topic, body));
            await Task.CompletedTask;
            return Results.NoContent();
        });

        app.MapGet("/v1.0/state/{store}/{key}", (string key, HttpContext context) =>
        {
            if (!_state.TryGetValue(key, out var item))
            {
                return Results.NoContent();
            }
            context.Response.Headers.ETag = item.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Text(item.Value, "application/json");
        });

        app.MapPost("/v1.0/state/{store}", async (HttpContext context) =>
        {
            var items = (await JsonNode.ParseAsync(context.Request.Body))!.AsArray();
            // A real store checks the ETag and writes atomically.
            lock (_stateLock)
            {
                return SaveAll(items);
            }
        });

        IResult SaveAll(JsonArray items)
        {
            foreach (var item in items)
            {
                var key = item!["key"]!.GetValue<string>();
                var etag = item["etag"]?.GetValue<string>();
                var value = item["value"]!.ToJsonString();
                if (etag is not null && (!_state.TryGetValue(key, out var current) || current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) != etag))
                {
                    return Results.Json(new { errorCode = "ERR_STATE_SAVE", message = "possible etag mismatch" }, statusCode: 409);
                }
                var version = _state.TryGetValue(key, out var existing) ? existing.Version + 1 : 1;
                _state[key] = (value, version);
            }
            return Results.NoContent();
        }

        app.MapDelete("/v1.0/state/{store}/{key}", (string key, HttpContext context) =>
        {
            var ifMatch = context.Request.Headers.IfMatch.ToString();
            using var scope = _stateLock.EnterScope();
            if (ifMatch.Length > 0 && (!_state.TryGetValue(key, out var current) || current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) != ifMatch))
            {
                return Results.Json(new { errorCode = "ERR_STATE_DELETE", message = "possible etag mismatch" }, statusCode: 409);
            }
            _state.TryRemove(key, out _);
            return Results.NoContent();
        });
    }

    // Like Dapr: find the topic's route in the app's subscription list, POST the CloudEvent, and read the
    // outcome; RETRY (or a non-200 answer) is redelivered a few times, DROP and SUCCESS end it.
    private async Task DeliverAsync(string topic, string cloudEvent)
    {
        if (AppAddress is null)
        {
            return;
        }
        var subscriptions = JsonNode.Parse(await _toApp.GetStringAsync(new Uri(AppAddress, "/dapr/subscribe")))!.AsArray();
        var route = subscriptions.FirstOrDefault(s => s!["topic"]!.GetValue<string>() == topic)?["route"]?.GetValue<string>();
        if (route is null)
        {
            DeliveryOutcomes.Enqueue($"NO SUBSCRIBER: {topic}");
            return;
        }
        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var content = new StringContent(cloudEvent, System.Text.Encoding.UTF8, "application/cloudevents+json");
            using var response = await _toApp.PostAsync(new Uri(AppAddress, route), content);
            var outcome = response.StatusCode == HttpStatusCode.OK
                ? JsonNode.Parse(await response.Content.ReadAsStringAsync())?["status"]?.GetValue<string>() ?? "SUCCESS"
                : ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
            DeliveryOutcomes.Enqueue(outcome);
            if (outcome is "SUCCESS" or "DROP")
            {
                return;
            }
            await Task.Delay(50);
        }
    }


    public sealed record RecordedRequest(string Method, string Path, string? ContentType, string Body, Dictionary<string, string> Headers)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }
}
