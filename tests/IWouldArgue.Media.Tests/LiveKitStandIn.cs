using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Media.Tests;

/// <summary>
/// A stand-in for LiveKit's server API (Twirp over HTTP with JSON), written from LiveKit's documentation:
/// it records every call (method, Authorization token, JSON body) and answers with the documented shapes.
/// It can fail on purpose: refuse connections (stopped), answer slowly, or answer 5xx a number of times.
/// It is not LiveKit: tests against it are contract tests of our reading of the docs, checked against
/// LiveKit's own SDK making the same calls (<c>tests/interop/livekit/sdk-calls.mjs</c>).
/// </summary>
public sealed class LiveKitStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _failuresLeft;

    private LiveKitStandIn(WebApplication app, int port)
    {
        _app = app;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri Address { get; }

    public ConcurrentQueue<Request> Calls { get; } = new();

    /// <summary>How long each answer waits.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The participants GetParticipant finds (identity → their audio track sid).</summary>
    public ConcurrentDictionary<string, string> Participants { get; } = new();

    public sealed record Request(string Service, string Method, string Authorization, JsonObject Body);

    public IEnumerable<Request> Of(string method) => Calls.Where(c => c.Method == method);

    /// <summary>The next <paramref name="count"/> calls answer 503 with a Twirp "unavailable" error.</summary>
    public void FailNext(int count) => Interlocked.Exchange(ref _failuresLeft, count);

    public static async Task<LiveKitStandIn> StartAsync()
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var standIn = new LiveKitStandIn(app, port);
        app.MapPost("/twirp/{service}/{method}", standIn.AnswerAsync);
        await app.StartAsync();
        return standIn;
    }

    private async Task<IResult> AnswerAsync(string service, string method, HttpContext http)
    {
        var body = await JsonNode.ParseAsync(http.Request.Body) as JsonObject ?? [];
        Calls.Enqueue(new Request(service, method, http.Request.Headers.Authorization.ToString(), body));
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, http.RequestAborted);
        }
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            return Results.Json(new JsonObject { ["code"] = "unavailable", ["msg"] = "try again later" }, statusCode: 503);
        }
        return method switch
        {
            "CreateRoom" => Results.Json(new JsonObject { ["sid"] = "RM_1", ["name"] = body["name"]?.DeepClone(), ["emptyTimeout"] = body["emptyTimeout"]?.DeepClone() }),
            "GetParticipant" when Participants.TryGetValue(body["identity"]?.GetValue<string>() ?? "", out var track) => Results.Json(new JsonObject
            {
                ["sid"] = "PA_1",
                ["identity"] = body["identity"]?.DeepClone(),
                ["tracks"] = new JsonArray(new JsonObject { ["sid"] = track, ["type"] = "AUDIO", ["source"] = "MICROPHONE" }),
            }),
            "GetParticipant" => Results.Json(new JsonObject { ["code"] = "not_found", ["msg"] = "participant not found" }, statusCode: 404),
            "StartRoomCompositeEgress" => Results.Json(new JsonObject { ["egressId"] = "EG_1", ["roomName"] = body["roomName"]?.DeepClone(), ["status"] = "EGRESS_STARTING" }),
            _ => Results.Json(new JsonObject()),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
