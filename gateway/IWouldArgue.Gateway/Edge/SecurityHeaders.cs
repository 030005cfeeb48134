namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Headers that make every response safer in a browser: no MIME sniffing, no framing, no referrer leaks,
/// a content security policy that only allows our own scripts and styles, and only the microphone among
/// powerful features (for voice).
/// </summary>
public static class SecurityHeaders
{
    // Voice connects to the LiveKit server over WebSocket, hence ws:/wss: in connect-src.
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

    /// <summary>Adds the headers to every response.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers["Permissions-Policy"] = "camera=(), geolocation=(), microphone=(self)";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });
}
