using System.Net;

namespace IWouldArgue.Rpc;

/// <summary>The gRPC status a client reports for HTTP failures, per the gRPC HTTP/2 spec's mapping.</summary>
internal static class HttpStatusMapping
{
    public static StatusCode ToStatusCode(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => StatusCode.Internal,
        HttpStatusCode.Unauthorized => StatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => StatusCode.PermissionDenied,
        HttpStatusCode.NotFound => StatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway
            or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>Maps an HTTP/2 RST_STREAM or GOAWAY error code.</summary>
    public static StatusCode FromHttp2Error(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable,         // REFUSED_STREAM: safe to retry
        0x8 => StatusCode.Cancelled,           // CANCEL
        0xB => StatusCode.ResourceExhausted,   // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied,    // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
