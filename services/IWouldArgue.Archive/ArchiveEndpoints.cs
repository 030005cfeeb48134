using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace IWouldArgue.Archive;

/// <summary>
/// For browsers (token in the Authorization header): <c>GET /archive/{discussion}/export.zip</c>, the export
/// streamed as it is made; <c>GET /archive/{discussion}/recording</c>, the voice recording (Ogg Opus) with
/// range requests.
/// </summary>
public static class ArchiveEndpoints
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/archive";

    /// <summary>Maps the export and recording downloads.</summary>
    public static IEndpointRouteBuilder MapArchiveDownloads(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(Prefix + "/{discussionId}/export.zip", ExportAsync);
        endpoints.MapGet(Prefix + "/{discussionId}/recording", RecordingAsync);
        return endpoints;
    }

    private static async Task<IResult> ExportAsync(string discussionId, HttpContext http, ArchivedDiscussions archive, CallerResolver callers)
    {
        var (discussion, refusal) = await RequireAsync(discussionId, http, archive, callers);
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

    private static async Task<IResult> RecordingAsync(string discussionId, HttpContext http, ArchivedDiscussions archive, CallerResolver callers)
    {
        var (discussion, refusal) = await RequireAsync(discussionId, http, archive, callers);
        if (discussion is null)
        {
            return refusal!;
        }
        if (await archive.OpenRecordingAsync(discussion.DiscussionId, http.RequestAborted) is not { } audio)
        {
            return Results.Json(new { error = "This discussion has no recording that can be played." }, statusCode: StatusCodes.Status404NotFound);
        }
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.Stream(audio, "audio/ogg", enableRangeProcessing: true);
    }

    private static async Task<(Discussion? Discussion, IResult? Refusal)> RequireAsync(string discussionId, HttpContext http, ArchivedDiscussions archive, CallerResolver callers)
    {
        try
        {
            return (await archive.RequireAsync(callers.Resolve(http), discussionId, http.RequestAborted), null);
        }
        catch (RpcException e)
        {
            return (null, Results.Json(new { error = e.Status.Detail }, statusCode: RpcErrors.HttpStatusOf(e.StatusCode)));
        }
    }
}
