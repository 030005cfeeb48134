using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace IWouldArgue.Archive;

/// <summary><c>GET /archive/{discussion}/export.zip</c>: the export for browsers, streamed as it is made (token in the Authorization header).</summary>
public static class ArchiveEndpoints
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/archive";

    /// <summary>Maps the export download.</summary>
    public static IEndpointConventionBuilder MapArchiveExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(Prefix + "/{discussionId}/export.zip", async (string discussionId, HttpContext http, ArchivedDiscussions archive, CallerResolver callers) =>
        {
            Contracts.V1.Discussion discussion;
            try
            {
                discussion = await archive.RequireAsync(callers.Resolve(http), discussionId, http.RequestAborted);
            }
            catch (RpcException e)
            {
                return Results.Json(new { error = e.Status.Detail }, statusCode: RpcErrors.HttpStatusOf(e.StatusCode));
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
        });
}
