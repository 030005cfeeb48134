using IWouldArgue.Auth;
using IWouldArgue.Discussions;
using IWouldArgue.Hosting;
using IWouldArgue.Archive;
using IWouldArgue.Attachments;
using IWouldArgue.Media;

namespace IWouldArgue.Discussions.Host;

/// <summary>
/// Discussions, with Media (voice), Attachments and Archive beside it, as their own process in the mesh. They believe
/// only the gateway about who calls (signed with Auth:GatewayKey). Several instances share one store
/// (Discussions:Provider=postgres) and the pub/sub and state building blocks; Live runs apart (LiveHost).
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
        builder.Services.AddMedia(builder.Configuration);
        builder.Services.AddAttachments(builder.Configuration);
        builder.Services.AddArchive(builder.Configuration);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.UseCallerAuthentication();
        app.MapDiscussions();
        app.MapMedia();
        app.MapAttachments();
        app.MapArchive();
        return app;
    }
}
