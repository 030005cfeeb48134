using Grpc.Net.Client;
using IWouldArgue.Auth;
using System.Net;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Hosting;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// A real host on loopback ports (HTTP/2 for gRPC, HTTP/1.1 for gRPC-Web) running Discussions, Live or
/// both, on a SQLite file of the test's own. Hosts of one test can share a pub/sub and a state store, as
/// instances of a cluster share their Dapr components.
/// </summary>
public sealed class LiveTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;
    private bool _stopped;

    private LiveTestHost(WebApplication app, Uri grpc, Uri web)
    {
        _app = app;
        GrpcAddress = grpc;
        WebAddress = web;
        _channel = GrpcChannel.ForAddress(grpc);
        Discussions = new DiscussionsService.DiscussionsServiceClient(_channel);
        Live = new LiveService.LiveServiceClient(_channel);
    }

    public Uri GrpcAddress { get; }

    public Uri WebAddress { get; }

    public DiscussionsService.DiscussionsServiceClient Discussions { get; }

    public LiveService.LiveServiceClient Live { get; }

    public IServiceProvider Services => _app.Services;

    public string InstanceId => _app.Services.GetRequiredService<LiveInstanceInfo>().Id;

    public static async Task<LiveTestHost> StartAsync(
        TestDatabase database,
        bool discussions = true,
        bool live = true,
        IPubSub? pubSub = null,
        IStateStore? state = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null)
    {
        var grpcPort = LoopbackPorts.Free();
        var webPort = LoopbackPorts.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discussions:ConnectionString"] = database.ConnectionString,
            ["Auth:TrustCallerHeaders"] = "true",
            ["Discussions:CommentsPerSecond"] = "100000",
            ["Discussions:CommentBurst"] = "100000",
            ["Live:AdvertisedAddress"] = $"http://127.0.0.1:{grpcPort}",
            ["Live:RegistrationInterval"] = "00:00:01",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.Http2.MaxStreamsPerConnection = 1000;
            k.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, webPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        if (pubSub is not null)
        {
            builder.Services.AddSingleton(pubSub);
        }
        if (state is not null)
        {
            builder.Services.AddSingleton(state);
        }
        services?.Invoke(builder.Services);
        if (discussions)
        {
            builder.Services.AddDiscussions(builder.Configuration);
        }
        if (live)
        {
            builder.Services.AddLive(builder.Configuration);
        }
        var app = builder.Build();
        app.MapServiceDefaults();
        if (discussions)
        {
            app.MapDiscussions();
        }
        if (live)
        {
            app.MapLive();
        }
        await app.StartAsync();
        return new LiveTestHost(app, new Uri($"http://127.0.0.1:{grpcPort}"), new Uri($"http://127.0.0.1:{webPort}"));
    }

    /// <summary>Call options that say who is calling (the dev identity headers).</summary>
    public static CallOptions As(string userId, CancellationToken cancellationToken = default) =>
        new(new Metadata { { CallerResolver.UserIdHeader, userId }, { CallerResolver.UserNameHeader, userId } }, cancellationToken: cancellationToken);

    /// <summary>Stops the host the way a deployment stops an instance (graceful shutdown).</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _app.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A SQLite file of the test's own, deleted afterwards.</summary>
public sealed class TestDatabase : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "iwouldargue-live-tests", Guid.NewGuid().ToString("N"));

    public TestDatabase()
    {
        Directory.CreateDirectory(_folder);
        ConnectionString = $"Data Source={Path.Combine(_folder, "discussions.db")}";
    }

    public string ConnectionString { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still open by a stopping host; the temp folder is cleaned eventually.
        }
    }
}
