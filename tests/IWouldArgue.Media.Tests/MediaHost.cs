using System.Net;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using IWouldArgue.Hosting;
using IWouldArgue.Rpc;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Media.Tests;

/// <summary>Discussions and Media as the embedded default wires them, on loopback: gRPC on HTTP/2, webhooks on HTTP/1.1.</summary>
public sealed class MediaHost : IAsyncDisposable
{
    public const string ApiKey = "devkey";
    public const string ApiSecret = "secret-of-the-test-livekit";

    private readonly WebApplication _app;
    private readonly string _folder;

    private MediaHost(WebApplication app, string folder, int grpcPort, int webPort)
    {
        _app = app;
        _folder = folder;
        Channel = RpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
        Discussions = new DiscussionsService.Client(Channel);
        Media = new MediaService.Client(Channel);
        Web = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{webPort}") };
    }

    public RpcChannel Channel { get; }

    public DiscussionsService.Client Discussions { get; }

    public MediaService.Client Media { get; }

    public HttpClient Web { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a host whose Media service talks to <paramref name="liveKit"/> (voice off when null).</summary>
    public static async Task<MediaHost> StartAsync(LiveKitStandIn? liveKit, IDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("iwouldargue-media-").FullName;
        var (grpcPort, webPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Discussions:ConnectionString"] = $"Data Source={Path.Combine(folder, "discussions.db")}",
            ["Auth:TrustCallerHeaders"] = "true",
            ["Media:LiveKitUrl"] = liveKit is null ? null : liveKit.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal),
            ["Media:ApiKey"] = liveKit is null ? null : ApiKey,
            ["Media:ApiSecret"] = liveKit is null ? null : ApiSecret,
            ["Media:RequestTimeout"] = "00:00:01",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, grpcPort, o => o.Protocols = HttpProtocols.Http2);
            k.Listen(IPAddress.Loopback, webPort, o => o.Protocols = HttpProtocols.Http1);
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        builder.Services.AddDiscussions(builder.Configuration);
        builder.Services.AddMedia(builder.Configuration);
        var app = builder.Build();
        app.MapServiceDefaults();
        app.MapDiscussions();
        app.MapMedia();
        await app.StartAsync();
        return new MediaHost(app, folder, grpcPort, webPort);
    }

    public static CallOptions As(string userId) =>
        new(new Metadata { { "iwouldargue-user-id", userId }, { "iwouldargue-user-name", userId.ToUpperInvariant() } });

    /// <summary>A live discussion hosted by "host", with "cohost", "speaker" and "listener" in their roles.</summary>
    public async Task<string> LiveDiscussionAsync()
    {
        var created = (await Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Voices" }, As("host"))).Discussion;
        await Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("host"));
        foreach (var user in new[] { "cohost", "speaker", "listener" })
        {
            await Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As(user));
        }
        await Discussions.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = created.DiscussionId, UserId = "cohost", Role = Role.CoHost }, As("host"));
        await Discussions.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = created.DiscussionId, UserId = "speaker", Role = Role.Participant }, As("host"));
        return created.DiscussionId;
    }

    public async ValueTask DisposeAsync()
    {
        Web.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
