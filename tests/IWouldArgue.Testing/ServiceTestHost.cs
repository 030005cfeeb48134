using System.Net;
using IWouldArgue.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Testing;

/// <summary>
/// A service host wired like the product's (service defaults, the given services and routes) on two free
/// loopback ports — gRPC on HTTP/2 and plain HTTP/1.1 — with its data in a temp folder removed at the end.
/// </summary>
public sealed class ServiceTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceTestHost(WebApplication app, string folder, int grpcPort, int webPort)
    {
        _app = app;
        Folder = folder;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        WebAddress = new Uri($"http://127.0.0.1:{webPort}");
    }

    /// <summary>The temp folder for the host's files.</summary>
    public string Folder { get; }

    public Uri GrpcAddress { get; }

    public Uri WebAddress { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a host; <paramref name="settings"/> may name files under the folder as "{folder}".</summary>
    public static async Task<ServiceTestHost> StartAsync(
        IDictionary<string, string?> settings,
        Action<IServiceCollection, IConfiguration> addServices,
        Action<WebApplication> map,
        string folderPrefix = "iwouldargue-test-")
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(addServices);
        ArgumentNullException.ThrowIfNull(map);
        var folder = Directory.CreateTempSubdirectory(folderPrefix).FullName;
        var (grpcPort, webPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.Replace("{folder}", folder, StringComparison.Ordinal))));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, webPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        addServices(builder.Services, builder.Configuration);
        var app = builder.Build();
        app.MapServiceDefaults();
        map(app);
        await app.StartAsync();
        return new ServiceTestHost(app, folder, grpcPort, webPort);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Folder, recursive: true);
    }
}
