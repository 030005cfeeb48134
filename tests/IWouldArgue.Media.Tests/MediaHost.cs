using Grpc.Net.Client;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Media.Tests;

/// <summary>Discussions and Media as the embedded default wires them, on loopback: gRPC on HTTP/2, webhooks on HTTP/1.1.</summary>
public sealed class MediaHost : IAsyncDisposable
{
    public const string ApiKey = "devkey";
    public const string ApiSecret = "secret-of-the-test-livekit";

    private readonly ServiceTestHost _host;

    private MediaHost(ServiceTestHost host)
    {
        _host = host;
        Channel = GrpcChannel.ForAddress(host.GrpcAddress);
        Discussions = new DiscussionsService.DiscussionsServiceClient(Channel);
        Media = new MediaService.MediaServiceClient(Channel);
        Web = new HttpClient { BaseAddress = host.WebAddress };
    }

    public GrpcChannel Channel { get; }

    public DiscussionsService.DiscussionsServiceClient Discussions { get; }

    public MediaService.MediaServiceClient Media { get; }

    public HttpClient Web { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Starts a host whose Media service talks to <paramref name="liveKit"/> (voice off when null).</summary>
    public static async Task<MediaHost> StartAsync(LiveKitStandIn? liveKit, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Discussions:ConnectionString"] = "Data Source={folder}/discussions.db",
            ["Auth:TrustCallerHeaders"] = "true",
            ["Media:LiveKitUrl"] = liveKit is null ? null : liveKit.Address.ToString().Replace("http://", "ws://", StringComparison.Ordinal),
            ["Media:ApiKey"] = liveKit is null ? null : ApiKey,
            ["Media:ApiSecret"] = liveKit is null ? null : ApiSecret,
            ["Media:RequestTimeout"] = "00:00:01",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        return new MediaHost(await ServiceTestHost.StartAsync(all,
            (services, configuration) =>
            {
                services.AddDiscussions(configuration);
                services.AddMedia(configuration);
            },
            app =>
            {
                app.MapDiscussions();
                app.MapMedia();
            },
            "iwouldargue-media-"));
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
        await _host.DisposeAsync();
    }
}
