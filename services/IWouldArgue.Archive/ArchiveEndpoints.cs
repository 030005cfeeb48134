using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace IWouldArgue.Archive;

/// <summary>
/// For browsers (token in the Authorization header): <c>GET /archive/{discussion}/export.zip</c>, the export
/// streamed as it is made; <c>GET /archive/{discussion}/recording</c>, the voice recording (Ogg Opus) with
/// range requests; <c>POST /archive/{discussion}/recording/link</c>, a short-lived link to the recording for
/// an audio player (which cannot send the header): the same GET with <c>?ticket=</c> (see <see cref="RecordingLinks"/>).
/// </summary>
public static class ArchiveEndpoints
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/archive";

    private const string NoRecording = "This discussion has no recording that can be played.";

    /// <summary>Maps the export and recording downloads.</summary>
    public static IEndpointRouteBuilder MapArchiveDownloads(this IEndpointRouteBuilder endpoints)
    {
        var archive = endpoints.MapGroup(Prefix).AddEndpointFilter(HttpErrors.ExplainUnexpectedAsync);
        archive.MapGet("/{discussionId}/export.zip", ExportAsync);
        // An audio player cannot send the token: a ticket from the link below stands for it (RecordingAsync checks one or the other).
        archive.MapGet("/{discussionId}/recording", RecordingAsync).AllowAnonymous();
        archive.MapPost("/{discussionId}/recording/link", RecordingLinkAsync);
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(string discussionId, HttpContext http, ArchivedDiscussions archive, CallerResolver callers)
    {
        var (discussion, _, refusal) = await RequireAsync(discussionId, http, archive, () => callers.Resolve(http));
        if (discussion is null)
        {
            return refusal!;
        }
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName($"{discussion.Title}.zip");
        http.Response.Headers.ContentDisposition = disposition.ToString();
        return Results.Stream(async body =>
        {
            var (zip, writing) = archive.StartExport(discussion, http.RequestAborted);
            await using (zip)
            {
                await zip.CopyToAsync(body, http.RequestAborted);
            }
            await writing;
        }, "application/zip");
    }

    private static async Task<IResult> RecordingAsync(string discussionId, string? ticket, HttpContext http, ArchivedDiscussions archive, CallerResolver callers, RecordingLinks links)
    {
        Func<Caller> caller = () => callers.Resolve(http);
        if (ticket is not null)
        {
            var holder = links.Verify(ticket, discussionId);
            if (holder is null)
            {
                return HttpErrors.Of(StatusCodes.Status401Unauthorized, "This link to the recording has expired or is not valid; open the replay again.");
            }
            caller = () => holder;
        }
        var (discussion, _, refusal) = await RequireAsync(discussionId, http, archive, caller);
        if (discussion is null)
        {
            return refusal!;
        }
        if (await archive.OpenRecordingAsync(discussion.DiscussionId, http.RequestAborted) is not { } audio)
        {
            return HttpErrors.Of(StatusCodes.Status404NotFound, NoRecording);
        }
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.Stream(audio, "audio/ogg", enableRangeProcessing: true);
    }

    private static async Task<IResult> RecordingLinkAsync(string discussionId, HttpContext http, ArchivedDiscussions archive, CallerResolver callers, RecordingLinks links)
    {
        var (discussion, caller, refusal) = await RequireAsync(discussionId, http, archive, () => callers.Resolve(http));
        if (discussion is null)
        {
            return refusal!;
        }
        await using (var audio = await archive.OpenRecordingAsync(discussion.DiscussionId, http.RequestAborted))
        {
            if (audio is null)
            {
                return HttpErrors.Of(StatusCodes.Status404NotFound, NoRecording);
            }
        }
        var url = $"{Prefix}/{Uri.EscapeDataString(discussion.DiscussionId)}/recording?ticket={links.Issue(caller!, discussion.DiscussionId)}";
        return Results.Json(new { url, expiresInSeconds = (int)RecordingLinks.Lifetime.TotalSeconds });
    }

    // The caller is found inside, so a missing or bad token is answered like any refusal (401 in a sentence).
    private static async Task<(Discussion? Discussion, Caller? Caller, IResult? Refusal)> RequireAsync(string discussionId, HttpContext http, ArchivedDiscussions archive, Func<Caller> resolve)
    {
        try
        {
            var caller = resolve();
            return (await archive.RequireAsync(caller, discussionId, http.RequestAborted), caller, null);
        }
        catch (RpcException e)
        {
            return (null, null, HttpErrors.Of(e));
        }
    }
}
