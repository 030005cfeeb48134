using IWouldArgue.Diagnostics;
using Grpc.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>grpc-dotnet with health checking on the same slim host as the bare reference, so the two differ only by the gRPC server.</summary>
internal static class RuntimeOnly
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = SlimHost.Create(port);
        builder.Services.AddGrpc();
        builder.Services.AddGrpcHealthChecks();
        builder.Services.AddDiagnostics();
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        app.MapDiagnostics();
        await app.RunAsync();
        return 0;
    }
}
