using IWouldArgue.Http2;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Hosting;

/// <summary>The setup every IWouldArgue host shares, so each Program.cs stays a table of contents.</summary>
public static class ServiceDefaults
{
    /// <summary>
    /// Adds the RPC server (bound from the "Rpc" section), console logging, and the HTTP/2 server beside Kestrel
    /// on the URLs of the "Http2Server" section, if any.
    /// </summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddRpcServer(builder.Configuration);
        builder.Services.AddHttp2Server(builder.Configuration);
        return builder;
    }

    /// <summary>Applies CORS for gRPC-Web and maps health checking and server reflection.</summary>
    public static WebApplication MapServiceDefaults(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseCors();
        app.MapRpcHealthAndReflection();
        return app;
    }
}
