using System.Net;
using IWouldArgue.Diagnostics;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>Our runtime on the same slim host as the bare reference, so the two differ only by the runtime.</summary>
internal static class RuntimeOnly
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddRpcServer();
        builder.Services.AddDiagnostics();
        var app = builder.Build();
        app.MapDiagnostics();
        await app.RunAsync();
        return 0;
    }
}
