using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using IWouldArgue.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IWouldArgue.Hosting;

/// <summary>
/// Gives the statuses grpc-dotnet itself answers with (a request over the 4 MiB message limit, an unknown method, a
/// deadline spent before the service ran) the same google.rpc details as ours: an ErrorInfo with a reason, so a client
/// branches on one shape whoever refused it. A status that already carries details is left alone.
/// </summary>
internal static class StatusDetails
{
    public static IApplicationBuilder UseStatusDetailsForEveryError(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true)
            {
                return;
            }
            // A trailers-only answer carries the status in its headers; any other in its trailers.
            var headers = context.Response.HasStarted ? null : context.Response.Headers;
            var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
            var where = headers is not null && headers.ContainsKey("grpc-status") ? headers
                : trailers is not null && trailers.ContainsKey("grpc-status") ? trailers
                : null;
            if (where is null || where.ContainsKey(RpcErrors.DetailsTrailer)
                || !int.TryParse(where["grpc-status"], NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value == 0)
            {
                return;
            }
            var code = (StatusCode)value;
            var message = Uri.UnescapeDataString(where["grpc-message"].ToString());
            var reason = code == StatusCode.ResourceExhausted && message.Contains("message size", StringComparison.OrdinalIgnoreCase)
                ? "MESSAGE_TOO_LARGE"
                : null;
            where[RpcErrors.DetailsTrailer] = Convert.ToBase64String(RpcErrors.StatusOf(code, message, reason).ToByteArray());
        });
}
