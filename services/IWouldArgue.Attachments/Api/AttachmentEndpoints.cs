using Google.Protobuf;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace IWouldArgue.Attachments;

/// <summary>
/// Files over plain HTTP, for browsers (gRPC-Web has no client streaming): the access token in the
/// Authorization header as everywhere. <c>POST /attachments/{discussion}?name=...</c> with the file as the
/// body (refused with 413 from its Content-Length before a byte is read, or as soon as it passes the limit);
/// <c>GET /attachments/{discussion}/{id}</c> streams it with range requests, a safe Content-Disposition
/// (inline only for images), nosniff and a sandboxing CSP; <c>DELETE</c> takes it down. Profile pictures:
/// <c>POST /attachments/avatars</c> with the image as the body, and <c>GET /attachments/avatars/{sha256}</c> for anyone
/// (an &lt;img&gt; sends no token), cached for good since the path names the content.
/// </summary>
public static class AttachmentEndpoints
{
    /// <summary>The path prefix.</summary>
    public const string Prefix = "/attachments";

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(false));

    /// <summary>Maps the three endpoints.</summary>
    public static IEndpointRouteBuilder MapAttachmentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var files = endpoints.MapGroup(Prefix).AddEndpointFilter(HttpErrors.ExplainUnexpectedAsync);
        // Literal segments win over parameters, so these come before a discussion's files whatever the order.
        files.MapPost("/avatars", UploadAvatarAsync);
        files.MapGet("/avatars/{sha256}", AvatarAsync).AllowAnonymous();
        files.MapPost("/{discussionId}", UploadAsync);
        files.MapGet("/{discussionId}/{attachmentId}", DownloadAsync);
        files.MapDelete("/{discussionId}/{attachmentId}", RemoveAsync);
        return endpoints;
    }

    private static async Task<IResult> UploadAsync(string discussionId, string? name, HttpContext http, AttachmentService files, CallerResolver callers, IOptions<AttachmentOptions> options)
    {
        try
        {
            var caller = callers.Resolve(http);
            if (http.Request.ContentLength > options.Value.MaxBytes)
            {
                return HttpErrors.Of(StatusCodes.Status413PayloadTooLarge, $"The file is larger than {options.Value.MaxBytes / (1024 * 1024)} MB.");
            }
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                // Bytes past the limit must reach us, so we can say what is wrong (Kestrel's own refusal is a bare
                // 413); a read can bring up to a buffer more than we asked for, hence the margin.
                limit.MaxRequestBodySize = options.Value.MaxBytes + (1 << 20);
            }
            var fileName = await files.AdmitAsync(caller, discussionId, name, http.Request.ContentLength, http.RequestAborted);
            var attachment = await files.ReceiveAsync(caller, discussionId, fileName, http.Request.Body, http.RequestAborted);
            return Results.Text(Json.Format(attachment), "application/json", statusCode: StatusCodes.Status201Created);
        }
        catch (RpcException e)
        {
            return FromRpc(e);
        }
    }

    private static async Task<IResult> UploadAvatarAsync(HttpContext http, Avatars avatars, CallerResolver callers, IOptions<AttachmentOptions> options)
    {
        try
        {
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = options.Value.AvatarMaxBytes + (1 << 20);
            }
            var uploaded = await avatars.ReceiveAsync(callers.Resolve(http), http.Request.Body, http.Request.ContentLength, http.RequestAborted);
            return Results.Text(Json.Format(uploaded), "application/json", statusCode: StatusCodes.Status201Created);
        }
        catch (RpcException e)
        {
            return HttpErrors.Of(e);
        }
    }

    private static async Task<IResult> AvatarAsync(string sha256, HttpContext http, Avatars avatars)
    {
        if (await avatars.OpenAsync(sha256, http.RequestAborted) is not var (mediaType, content))
        {
            return HttpErrors.Of(StatusCodes.Status404NotFound, "No such picture.");
        }
        var headers = http.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
        headers.CacheControl = "public, max-age=31536000, immutable";
        return Results.Stream(content, mediaType, entityTag: new EntityTagHeaderValue($"\"{sha256}\""));
    }

    private static async Task<IResult> DownloadAsync(string discussionId, string attachmentId, HttpContext http, AttachmentService files, CallerResolver callers)
    {
        try
        {
            var (attachment, content) = await files.OpenAsync(callers.Resolve(http), discussionId, attachmentId, http.RequestAborted);
            var headers = http.Response.Headers;
            var inline = attachment.MediaType.StartsWith("image/", StringComparison.Ordinal);
            var disposition = new ContentDispositionHeaderValue(inline ? "inline" : "attachment");
            disposition.SetHttpFileName(attachment.FileName);
            headers.ContentDisposition = disposition.ToString();
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            headers.CacheControl = "private, max-age=3600";
            return Results.Stream(content, attachment.MediaType, enableRangeProcessing: true,
                entityTag: new EntityTagHeaderValue($"\"{attachment.Sha256}\""), lastModified: attachment.UploadedAt.ToDateTimeOffset());
        }
        catch (RpcException e)
        {
            return FromRpc(e);
        }
    }

    private static async Task<IResult> RemoveAsync(string discussionId, string attachmentId, HttpContext http, AttachmentService files, CallerResolver callers)
    {
        try
        {
            await files.RemoveAsync(callers.Resolve(http), discussionId, attachmentId, http.RequestAborted);
            return Results.NoContent();
        }
        catch (RpcException e)
        {
            return FromRpc(e);
        }
    }

    private static IResult FromRpc(RpcException e)
    {
        var reason = RpcErrors.ReasonOf(e);
        var tooLarge = (e.StatusCode, reason) is (StatusCode.InvalidArgument, AttachmentService.TooLarge) or (StatusCode.ResourceExhausted, AttachmentService.QuotaExceeded);
        return tooLarge ? HttpErrors.Of(StatusCodes.Status413PayloadTooLarge, e.Status.Detail) : HttpErrors.Of(e);
    }
}
