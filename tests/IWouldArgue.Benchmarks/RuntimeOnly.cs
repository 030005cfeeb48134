using IWouldArgue.Diagnostics;
using IWouldArgue.Rpc;

namespace IWouldArgue.Benchmarks;

/// <summary>Our runtime on the same slim host as the bare reference, so the two differ only by the runtime.</summary>
internal static class RuntimeOnly
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = SlimHost.Create(port);
        builder.Services.AddRpcServer();
        builder.Services.AddDiagnostics();
        var app = builder.Build();
        app.MapRpcHealthAndReflection();
        app.MapDiagnostics();
        await app.RunAsync();
        return 0;
    }
}
