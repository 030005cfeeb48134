using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Media.LiveKit;

/// <summary>A call to LiveKit that failed: its Twirp error code ("not_found", "unavailable", ...) and message.</summary>
public sealed class LiveKitException(string code, string message, HttpStatusCode? status = null, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>The Twirp error code; "unreachable" when LiveKit did not answer.</summary>
    public string Code { get; } = code;

    /// <summary>The HTTP status LiveKit answered with, if it answered.</summary>
    public HttpStatusCode? Status { get; } = status;

    /// <summary>Whether trying again later may succeed.</summary>
    public bool Transient => Code is "unreachable" or "unavailable" or "internal" or "resource_exhausted" or "deadline_exceeded" || (int?)Status >= 500;
}

/// <summary>
/// LiveKit's server API as documented: Twirp over HTTP, JSON bodies with protobuf's JSON names, a
/// short HS256 token with the grants each call needs. Every call has a timeout; idempotent ones are
/// tried again with backoff when LiveKit is unreachable, slow or failing (5xx). "Not found" for something
/// being removed counts as done.
/// </summary>
public sealed partial class LiveKitServer(HttpClient http, LiveKitTokens tokens, IOptions<MediaOptions> options, ILogger<LiveKitServer> logger)
{
    private const string RoomService = "livekit.RoomService";
    private const string Egress = "livekit.Egress";

    /// <summary>Creates the room of a discussion (LiveKit answers with the existing room if it is there).</summary>
    public Task CreateRoomAsync(string room, string metadata, CancellationToken cancellationToken) =>
        CallAsync(RoomService, "CreateRoom", new JsonObject
        {
            ["name"] = room,
            ["emptyTimeout"] = (int)options.Value.EmptyTimeout.TotalSeconds,
            ["maxParticipants"] = options.Value.MaxParticipants,
            ["metadata"] = metadata,
        }, new JsonObject { ["roomCreate"] = true }, cancellationToken);

    /// <summary>Deletes a room; done if it is already gone.</summary>
    public Task DeleteRoomAsync(string room, CancellationToken cancellationToken) =>
        IgnoreNotFound(CallAsync(RoomService, "DeleteRoom", new JsonObject { ["room"] = room }, new JsonObject { ["roomCreate"] = true }, cancellationToken));

    /// <summary>Gives or takes a participant's right to publish their microphone; done if they are not in the room.</summary>
    public Task SetCanSpeakAsync(string room, string identity, bool canSpeak, CancellationToken cancellationToken) =>
        IgnoreNotFound(CallAsync(RoomService, "UpdateParticipant", new JsonObject
        {
            ["room"] = room,
            ["identity"] = identity,
            ["permission"] = new JsonObject
            {
                ["canSubscribe"] = true,
                ["canPublish"] = canSpeak,
                ["canPublishData"] = canSpeak,
                ["canPublishSources"] = canSpeak ? new JsonArray("MICROPHONE") : new JsonArray(),
            },
        }, Admin(room), cancellationToken));

    /// <summary>Mutes every audio track a participant publishes; done if they are not in the room.</summary>
    public async Task MuteAsync(string room, string identity, CancellationToken cancellationToken)
    {
        JsonObject participant;
        try
        {
            participant = await CallAsync(RoomService, "GetParticipant", new JsonObject { ["room"] = room, ["identity"] = identity }, Admin(room), cancellationToken);
        }
        catch (LiveKitException e) when (e.Code == "not_found")
        {
            return;
        }
        var audio = (participant["tracks"] as JsonArray ?? []).OfType<JsonObject>()
            .Where(t => t["type"]?.GetValue<string>() is "AUDIO" or "audio" || t["source"]?.GetValue<string>() is "MICROPHONE")
            .Select(t => t["sid"]?.GetValue<string>())
            .OfType<string>();
        foreach (var trackSid in audio)
        {
            await IgnoreNotFound(CallAsync(RoomService, "MutePublishedTrack", new JsonObject
            {
                ["room"] = room,
                ["identity"] = identity,
                ["trackSid"] = trackSid,
                ["muted"] = true,
            }, Admin(room), cancellationToken));
        }
    }

    /// <summary>Disconnects a participant; done if they are not in the room.</summary>
    public Task RemoveParticipantAsync(string room, string identity, CancellationToken cancellationToken) =>
        IgnoreNotFound(CallAsync(RoomService, "RemoveParticipant", new JsonObject { ["room"] = room, ["identity"] = identity }, Admin(room), cancellationToken));

    /// <summary>Starts an audio-only recording of the room to a file (LiveKit's EncodedFileOutput); returns the egress id. Not retried (it would start two).</summary>
    public async Task<string> StartRecordingAsync(string room, JsonObject fileOutput, CancellationToken cancellationToken)
    {
        var info = await CallAsync(Egress, "StartRoomCompositeEgress", new JsonObject
        {
            ["roomName"] = room,
            ["audioOnly"] = true,
            ["fileOutputs"] = new JsonArray(fileOutput),
        }, new JsonObject { ["room"] = room, ["roomRecord"] = true }, cancellationToken, idempotent: false);
        return info["egressId"]?.GetValue<string>() ?? throw new LiveKitException("malformed", "LiveKit answered StartRoomCompositeEgress without an egress id.");
    }

    /// <summary>Stops a recording; done if it already ended.</summary>
    public Task StopRecordingAsync(string egressId, CancellationToken cancellationToken) =>
        IgnoreNotFound(CallAsync(Egress, "StopEgress", new JsonObject { ["egressId"] = egressId }, new JsonObject { ["roomRecord"] = true }, cancellationToken));

    private static JsonObject Admin(string room) => new() { ["room"] = room, ["roomAdmin"] = true };

    private static async Task IgnoreNotFound(Task call)
    {
        try
        {
            await call;
        }
        catch (LiveKitException e) when (e.Code == "not_found")
        {
        }
    }

    private async Task<JsonObject> CallAsync(string service, string method, JsonObject body, JsonObject grant, CancellationToken cancellationToken, bool idempotent = true)
    {
        var settings = options.Value;
        var url = new Uri(settings.ServerApi, $"/twirp/{service}/{method}");
        var attempts = idempotent ? Math.Max(1, settings.Attempts) : 1;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await SendAsync(url, body, grant, settings.RequestTimeout, cancellationToken);
            }
            catch (LiveKitException e) when (e.Transient && attempt < attempts)
            {
                var wait = TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1) * (0.5 + Random.Shared.NextDouble()));
                LogRetry(logger, method, e.Code, attempt, wait.TotalMilliseconds);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private async Task<JsonObject> SendAsync(Uri url, JsonObject body, JsonObject grant, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.ForServer((JsonObject)grant.DeepClone()));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, deadline.Token);
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new LiveKitException("unreachable", $"LiveKit at {url.GetLeftPart(UriPartial.Authority)} did not answer ({(e is HttpRequestException ? e.Message : $"no answer within {timeout.TotalSeconds:0.#} s")}).", inner: e);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return (text.Length == 0 ? null : JsonNode.Parse(text)) as JsonObject ?? [];
            }
            var (code, message) = TwirpError(text, response.StatusCode);
            throw new LiveKitException(code, $"LiveKit refused {url.AbsolutePath}: {message}", response.StatusCode);
        }
    }

    private static (string Code, string Message) TwirpError(string text, HttpStatusCode status)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject error && error["code"]?.GetValue<string>() is { } code)
            {
                return (code, error["msg"]?.GetValue<string>() ?? code);
            }
        }
        catch (JsonException)
        {
            // Not a Twirp error body (a proxy's page, say): fall back to the status.
        }
        return ((int)status >= 500 ? "unavailable" : "unknown", $"HTTP {(int)status}");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "LiveKit {Method} failed ({Code}), attempt {Attempt}; trying again in {WaitMs:F0} ms")]
    private static partial void LogRetry(ILogger logger, string method, string code, int attempt, double waitMs);
}
