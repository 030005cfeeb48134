using System.Net;
using Grpc.Net.Client;
using IWouldArgue.Diagnostics;
using IWouldArgue.Hosting;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Interop.Tests.Infrastructure;

/// <summary>
/// The product's host wiring (service defaults + diagnostics) on real loopback sockets: one HTTP/2
/// cleartext port for gRPC and one HTTP/1.1 port for browsers' gRPC-Web.
/// </summary>
public sealed class InteropHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InteropHost(WebApplication app, int grpcPort, int webPort)
    {
        _app = app;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        WebAddress = new Uri($"http://127.0.0.1:{webPort}");
        Channel = GrpcChannel.ForAddress(GrpcAddress);
    }

    /// <summary>gRPC over HTTP/2 with prior knowledge (also serves gRPC-Web over HTTP/2).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>HTTP/1.1: gRPC-Web for browsers.</summary>
    public Uri WebAddress { get; }

    public GrpcChannel Channel { get; }

    public static async Task<InteropHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var grpcPort = LoopbackPorts.Free();
        var webPort = LoopbackPorts.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, webPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        builder.Services.AddDiagnostics();
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapDiagnostics();
        await app.StartAsync();
        return new InteropHost(app, grpcPort, webPort);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
