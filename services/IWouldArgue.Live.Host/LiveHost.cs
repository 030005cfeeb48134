using IWouldArgue.Auth;
using IWouldArgue.Hosting;

namespace IWouldArgue.Live.Host;

/// <summary>
/// One Live instance as its own process in the mesh. It believes only the gateway about who calls (signed with
/// Auth:GatewayKey) and registers Live:AdvertisedAddress in the state store, so gateways send each discussion's
/// watchers to its owner. Several instances share the Discussions store (Discussions:Provider=postgres) and the
/// pub/sub and state building blocks; none keeps anything another needs.
/// </summary>
public static class LiveHost
{
    public static WebApplication Create(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = ServiceDefaults.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.ServeGatewaysOnly();
        builder.Services.Configure<AuthOptions>(o => o.Source = CallerSource.Gateway);
        builder.Services.AddLive(builder.Configuration);
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.UseCallerAuthentication();
        app.MapLive();
        return app;
    }
}
