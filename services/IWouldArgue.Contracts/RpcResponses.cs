using System.Text;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Contracts;

/// <summary>Answers a gRPC call from middleware, before it reaches its service (a rate limit, a refused token).</summary>
public static class RpcResponses
{
    /// <summary>
    /// Ends a gRPC call (or a gRPC-Web one, which grpc-dotnet's gRPC-Web middleware has already translated)
    /// with the exception's status and trailers, as the service would have. False, and nothing written,
    /// when the request is not a gRPC call or the response has started.
    /// </summary>
    public static async Task<bool> TryRespondWithRpcErrorAsync(this HttpContext context, RpcException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) != true || context.Response.HasStarted)
        {
            return false;
        }
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/grpc";
        await response.StartAsync(context.RequestAborted);
        response.AppendTrailer("grpc-status", ((int)error.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.AppendTrailer("grpc-message", PercentEncode(error.Status.Detail));
        foreach (var entry in error.Trailers)
        {
            response.AppendTrailer(entry.Key, entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value);
        }
        return true;
    }

    // grpc-message is percent-encoded UTF-8: printable ASCII other than '%' goes as it is (gRPC over HTTP/2, "Responses").
    private static string PercentEncode(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (var b in Encoding.UTF8.GetBytes(message))
        {
            if (b is >= 0x20 and <= 0x7E and not (byte)'%')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }
}
