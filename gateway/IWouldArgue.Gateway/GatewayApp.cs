using IWouldArgue.Auth;
using IWouldArgue.Diagnostics;
using IWouldArgue.Discussions;
using IWouldArgue.Gateway.Edge;
using IWouldArgue.Hosting;
using IWouldArgue.Identity;
using IWouldArgue.Live;

namespace IWouldArgue.Gateway;

/// <summary>The embedded default: the browser-facing edge and every service in one process.</summary>
public static class GatewayApp
{
    /// <summary>Builds the gateway from command-line arguments (and appsettings); <paramref name="overrides"/> lets tests swap services.</summary>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.Services.AddOptions<EdgeOptions>().Bind(builder.Configuration.GetSection(EdgeOptions.SectionName));
        builder.Services.AddEdgeRateLimits();
        builder.Services.AddIdentity(builder.Configuration);
        builder.Services.AddSingleton<IGuestInvites, StoreGuestInvites>();
        builder.Services.AddDiagnostics();
        builder.Services.AddDiscussions(builder.Configuration);
        builder.Services.AddLive(builder.Configuration);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseSecurityHeaders();
        app.UseCallerAuthentication();
        app.UseRateLimiter();
        app.MapServiceDefaults();
        app.MapWebClient();
        app.MapDiagnostics();
        app.MapIdentity();
        app.MapDiscussions();
        app.MapLive();
        return app;
    }
}
