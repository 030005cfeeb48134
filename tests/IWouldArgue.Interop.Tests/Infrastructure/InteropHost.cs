using IWouldArgue.Diagnostics;
using IWouldArgue.Testing;

namespace IWouldArgue.Interop.Tests.Infrastructure;

/// <summary>
/// The product's host wiring (service defaults: grpc-dotnet, gRPC-Web, health, reflection) serving DiagnosticsService
/// on real loopback sockets: HTTP/2 cleartext for gRPC and HTTP/1.1 for browsers' gRPC-Web.
/// </summary>
public static class InteropHost
{
    public static Task<ServiceTestHost> StartAsync(IDictionary<string, string?>? settings = null) =>
        ServiceTestHost.StartAsync(settings ?? new Dictionary<string, string?>(), (services, _) => services.AddDiagnostics(), app => app.MapDiagnostics(), "iwouldargue-interop-");
}
