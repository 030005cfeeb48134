using IWouldArgue.Auth;
using IWouldArgue.Discussions;
using IWouldArgue.Hosting;
using IWouldArgue.Archive;
using IWouldArgue.Attachments;
using IWouldArgue.Live;
using IWouldArgue.Media;

namespace IWouldArgue.Discussions.Host;

/// <summary>
/// Discussions, a Live instance and Media (voice) as their own process in the mesh. They believe only the gateway about
/// who calls (signed with Auth:GatewayKey); the Live instance registers Live:AdvertisedAddress so the
/// gateway sends each discussion's watchers to its owner.
/// </summary>
public static class DiscussionsHost
{
    public static WebApplication Create(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = ServiceDefaults.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.ServeGatewaysOnly();
        builder.Services.Configure<AuthOptions>(o => o.Source = CallerSource.Gateway);
        builder.Services.AddDiscussions(builder.Configuration);
        builder.Services.AddLive(builder.Configuration);
        builder.Services.AddMedia(builder.Configuration);
        builder.Services.AddAttachments(builder.Configuration);
        builder.Services.AddArchive(builder.Configuration);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.UseCallerAuthentication();
        app.MapDiscussions();
        app.MapLive();
        app.MapMedia();
        app.MapAttachments();
        app.MapArchive();
        return app;
    }
}
