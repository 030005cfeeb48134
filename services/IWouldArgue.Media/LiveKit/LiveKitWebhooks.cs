using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.Routing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Media.LiveKit;

/// <summary>
/// LiveKit's webhooks, checked as LiveKit documents them: the Authorization header carries a JWT signed
/// with our API secret (issuer = our API key) whose <c>sha256</c> claim is the base64 SHA-256 of the body.
/// Anything else is 401 and changes nothing. Handled: participant_joined / participant_left (who is in the
/// voice room, kept in the state store for 3 hours at most) and egress_ended (where the recording is).
/// </summary>
public static partial class LiveKitWebhooks
{
    /// <summary>The path LiveKit is configured to call (livekit.yaml: webhook.urls).</summary>
    public const string Path = "/livekit/webhook";

    private const int MaxBody = 1 << 20;

    /// <summary>Maps the webhook endpoint.</summary>
    public static IEndpointConventionBuilder MapLiveKitWebhooks(this IEndpointRouteBuilder endpoints) =>
        // LiveKit signs its webhooks; ReceiveAsync checks that signature instead of a caller.
        endpoints.MapPost(Path, ReceiveAsync).AllowAnonymous();

    /// <summary>The state-store set of who is connected to a discussion's voice room.</summary>
    public static ExpiringSet VoicePresence(IStateStore state, TimeProvider clock, string room) => new(state, clock, $"voice-present:{room}");

    private static async Task<IResult> ReceiveAsync(HttpContext http, LiveKitTokens tokens, Recordings recordings, IStateStore state, TimeProvider clock, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(LiveKitWebhooks).FullName!);
        if (http.Request.ContentLength > MaxBody)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBody; // a chunked body is cut as it passes the limit, not after it is all read
        }
        using var buffer = new MemoryStream();
        try
        {
            await http.Request.Body.CopyToAsync(buffer, http.RequestAborted);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        if (buffer.Length > MaxBody)
        {
            return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
        }
        var body = buffer.ToArray();
        var header = http.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            header = http.Request.Headers["Authorize"].ToString();
        }
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            header = header[7..];
        }
        var claims = header.Length == 0 ? null : tokens.Verify(header.Trim());
        var digest = Convert.ToBase64String(SHA256.HashData(body));
        if (claims?["sha256"]?.GetValue<string>() != digest)
        {
            LogRefused(logger, claims is null ? "no valid signature" : "the body does not match its signature");
            return Results.Unauthorized();
        }
        JsonObject? hook;
        try
        {
            hook = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            hook = null;
        }
        if (hook is null)
        {
            return Results.BadRequest("The webhook body is not a JSON object.");
        }
        var kind = hook["event"]?.GetValue<string>() ?? "";
        var room = Text(hook["room"], "name");
        var identity = Text(hook["participant"], "identity");
        switch (kind)
        {
            case "participant_joined" when room is not null && identity is not null:
                await VoicePresence(state, clock, room).UpsertAsync(identity, Text(hook["participant"], "name") ?? identity, TimeSpan.FromHours(3), http.RequestAborted);
                break;
            case "participant_left" when room is not null && identity is not null:
                await VoicePresence(state, clock, room).RemoveAsync(identity, http.RequestAborted);
                break;
            case "egress_ended":
                await EgressEndedAsync((hook["egressInfo"] ?? hook["egress_info"]) as JsonObject, recordings, http.RequestAborted);
                break;
        }
        LogReceived(logger, kind, room);
        return Results.Ok();
    }

    // egressInfo: egressId, roomName, status (EGRESS_COMPLETE when the file is whole) and fileResults with
    // where the file was written (filename) and its duration in nanoseconds; protobuf JSON, so either field naming may arrive.
    private static async Task EgressEndedAsync(JsonObject? egress, Recordings recordings, CancellationToken cancellationToken)
    {
        var room = Text(egress, "roomName") ?? Text(egress, "room_name");
        var egressId = Text(egress, "egressId") ?? Text(egress, "egress_id");
        if (room is null || egressId is null)
        {
            return;
        }
        var file = ((egress!["fileResults"] ?? egress["file_results"]) as JsonArray)?.FirstOrDefault() as JsonObject ?? egress["file"] as JsonObject;
        TimeSpan? duration = file?["duration"] is JsonValue d && long.TryParse(d.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var ns) ? TimeSpan.FromTicks(ns / 100) : null;
        var complete = Text(egress, "status") is "EGRESS_COMPLETE";
        await recordings.EndedAsync(room, egressId, complete, Text(file, "filename"), duration, cancellationToken);
    }

    private static string? Text(JsonNode? node, string name) =>
        node is JsonObject o && o[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "LiveKit webhook refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "LiveKit webhook {Kind} for room {Room}")]
    private static partial void LogReceived(ILogger logger, string kind, string? room);
}
