using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Serves the built web client (gateway/web, built into the gateway's output by the build): its hashed
/// assets cached for a year, index.html never cached, and index.html for the app's own paths
/// (/d/..., /join/...) so links open in the app.
/// </summary>
public static partial class WebClient
{
    // The web client's routes, as its router names them.
    private static readonly string[] Pages = ["/", "/signin", "/signup", "/join/{code}", "/d/{id}", "/replay/{id}"];

    /// <summary>Serves the client's files when they were built; logs where it looked when they were not.</summary>
    public static WebApplication MapWebClient(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var root = app.Services.GetRequiredService<IOptions<EdgeOptions>>().Value.WebRoot ?? Path.Combine(AppContext.BaseDirectory, "web");
        if (!File.Exists(Path.Combine(root, "index.html")))
        {
            LogNotBuilt(app.Logger, root);
            app.MapGet("/", () => "IWouldArgue is running without its web client (build gateway/web). gRPC (HTTP/2): see Kestrel:Endpoints:Grpc; gRPC-Web (HTTP/1.1): this address.").AllowAnonymous();
            return app;
        }
        var files = new PhysicalFileProvider(Path.GetFullPath(root));
        var options = new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.CacheControl = context.File.Name == "index.html" ? "no-cache" : context.Context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "public, max-age=300";
            },
        };
        app.UseStaticFiles(options);
        // The client's own pages (gateway/web/src/main.ts) answer with the app; any other path is 404, so that a client
        // that asks for a file at a wrong path is not handed a page it takes for the file.
        foreach (var page in Pages)
        {
            app.MapFallbackToFile(page, "index.html", options).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"])).AllowAnonymous();
        }
        return app;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The web client is not built (no index.html in {WebRoot}); the gateway serves only its APIs")]
    private static partial void LogNotBuilt(ILogger logger, string webRoot);
}
