using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Hosting;

/// <summary>The setup every IWouldArgue host shares, so each Program.cs stays a table of contents.</summary>
public static class ServiceDefaults
{
    /// <summary>Adds the RPC server (bound from the "Rpc" section) and console logging.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        EnoughPoolThreads();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        builder.Services.AddRpcServer(builder.Configuration);
        return builder;
    }

    // SQLite (the embedded store) does its I/O synchronously under its async API, on thread-pool threads,
    // and a freshly started process spends them on compiling code too. With the default minimum (one thread
    // per core) the pool then adds threads only every ~0.5 s: the first replay after start-up was measured
    // stalling ~0.9 s on 2 cores, and not with 16. Steady throughput is the same either way (bench/comments.sh,
    // 50 discussions: 5,194 and 4,985/s at the default, 5,164 and 4,997/s at 16).
    private static void EnoughPoolThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
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
