using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using IWouldArgue.Diagnostics;
using IWouldArgue.Hosting;
using IWouldArgue.Testing;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Rpc.Tests.Infrastructure;

/// <summary>
/// The product's host wiring (service defaults + diagnostics) on real loopback sockets: one HTTP/2
/// cleartext port for gRPC and one HTTP/1.1 port for browsers' gRPC-Web.
/// </summary>
public sealed class RpcTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RpcTestHost(WebApplication app, int grpcPort, int webPort, LogSink logs, int? tlsPort, int? http2ServerPort)
    {
        _app = app;
        Http2ServerAddress = http2ServerPort is { } h2 ? new Uri($"http://127.0.0.1:{h2}") : null;
        TlsAddress = tlsPort is { } port ? new Uri($"https://127.0.0.1:{port}") : null;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        WebAddress = new Uri($"http://127.0.0.1:{webPort}");
        Logs = logs;
        Channel = RpcChannel.ForAddress(GrpcAddress);
    }

    /// <summary>gRPC over HTTP/2 with prior knowledge (also serves gRPC-Web over HTTP/2).</summary>
    public Uri GrpcAddress { get; }

    /// <summary>HTTP/2 and HTTP/1.1 over TLS, when the host was started with a certificate.</summary>
    public Uri? TlsAddress { get; }

    /// <summary>gRPC over our own HTTP/2 server (Http2Server:Urls), when the host was started with it.</summary>
    public Uri? Http2ServerAddress { get; }

    /// <summary>HTTP/1.1: gRPC-Web for browsers.</summary>
    public Uri WebAddress { get; }

    public RpcChannel Channel { get; }

    public IServiceProvider Services => _app.Services;

    public LogSink Logs { get; }

    public static async Task<RpcTestHost> StartAsync(
        Action<WebApplication>? map = null,
        IDictionary<string, string?>? settings = null,
        X509Certificate2? tlsCertificate = null,
        Action<IServiceCollection>? services = null,
        bool http2Server = false)
    {
        var grpcPort = LoopbackPorts.Free();
        var webPort = LoopbackPorts.Free();
        int? tlsPort = tlsCertificate is null ? null : LoopbackPorts.Free();
        int? http2ServerPort = http2Server ? LoopbackPorts.Free() : null;
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        if (http2ServerPort is { } h2)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Http2Server:Urls:0"] = $"http://127.0.0.1:{h2}" });
        }
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
            kestrel.Listen(IPAddress.Loopback, webPort, o => o.Protocols = HttpProtocols.Http1);
            if (tlsPort is { } port)
            {
                kestrel.Listen(IPAddress.Loopback, port, o =>
                {
                    o.Protocols = HttpProtocols.Http1AndHttp2;
                    o.UseHttps(tlsCertificate!);
                });
            }
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        var logs = new LogSink();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddDiagnostics();
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.MapServiceDefaults();
        if (map is null)
        {
            app.MapDiagnostics();
        }
        else
        {
            map(app);
        }
        await app.StartAsync();
        return new RpcTestHost(app, grpcPort, webPort, logs, tlsPort, http2ServerPort);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }


    /// <summary>Keeps what the server logged, so tests can check what it noticed.</summary>
    public sealed class LogSink : ILoggerProvider
    {
        public const string ServerCategory = "IWouldArgue.Rpc.Server";

        public ConcurrentQueue<(string Category, EventId Id, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        public async Task<bool> WaitForAsync(int eventId, TimeSpan timeout)
        {
            var until = DateTime.UtcNow + timeout;
            while (DateTime.UtcNow < until)
            {
                if (Entries.Any(e => e.Id.Id == eventId && e.Category == ServerCategory))
                {
                    return true;
                }
                await Task.Delay(20);
            }
            return false;
        }

        private sealed class Logger(LogSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Entries.Enqueue((category, eventId, formatter(state, exception) + (exception is null ? "" : " | " + exception)));
        }
    }
}
