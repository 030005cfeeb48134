using Grpc.Net.Client;
using System.Net;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using IWouldArgue.Hosting;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>
/// The embedded host's wiring (service defaults + Discussions on SQLite and in-process building blocks)
/// on a real loopback HTTP/2 port, called through the generated client.
/// </summary>
public sealed class DiscussionsHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly GrpcChannel _channel;

    private DiscussionsHost(WebApplication app, GrpcChannel channel)
    {
        _app = app;
        _channel = channel;
        Client = new DiscussionsService.DiscussionsServiceClient(channel);
    }

    public DiscussionsService.DiscussionsServiceClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<DiscussionsHost> StartAsync(TempDatabase database, IDictionary<string, string?>? settings = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? services = null)
    {
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discussions:ConnectionString"] = database.ConnectionString,
            ["Auth:TrustCallerHeaders"] = "true",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        services?.Invoke(builder.Services);
        builder.Services.AddDiscussions(builder.Configuration);
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapDiscussions();
        await app.StartAsync();
        return new DiscussionsHost(app, GrpcChannel.ForAddress($"http://127.0.0.1:{port}"));
    }

    /// <summary>A discussion "host" created and started, which <paramref name="members"/> joined by its link.</summary>
    public async Task<Discussion> StartLiveAsync(string title, params string[] members)
    {
        var created = (await Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = title }, As("host"))).Discussion;
        await Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("host"));
        foreach (var user in members)
        {
            await Client.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As(user));
        }
        return created;
    }

    /// <summary>Call options that say who is calling (the dev identity headers).</summary>
    public static CallOptions As(string userId, string? name = null) =>
        new(new Metadata { { "iwouldargue-user-id", userId }, { "iwouldargue-user-name", name ?? userId } });

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
