using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Hosting;

namespace IWouldArgue.Identity.Host;

/// <summary>
/// Identity as its own process in the mesh. It believes only the gateway about who calls (signed with
/// Auth:GatewayKey), serves its JWKS for the gateway over HTTP, and asks Discussions about join links
/// (Identity:Discussions:Address, or its Dapr app id through the sidecar).
/// </summary>
public static class IdentityHost
{
    public static WebApplication Create(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = ServiceDefaults.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.ServeGatewaysOnly();
        builder.Services.Configure<AuthOptions>(o => o.Source = CallerSource.Gateway);
        builder.Services.AddIdentity(builder.Configuration);
        var discussions = builder.Configuration.GetSection("Identity:Discussions");
        var appId = discussions["DaprAppId"];
        var sidecar = builder.Configuration.GetSection(DaprOptions.SectionName).Get<DaprOptions>() ?? new DaprOptions();
        var address = discussions.GetValue<Uri?>("Address") ?? (appId is null ? null : sidecar.GrpcEndpoint)
            ?? throw new InvalidOperationException("Set Identity:Discussions:Address (or Identity:Discussions:DaprAppId) so guests can join by link.");
        builder.Services.AddGrpcClient<DiscussionsService.DiscussionsServiceClient>(o => o.Address = address);
        builder.Services.AddTransient<IGuestInvites>(sp => new DiscussionsGuestInvites(sp.GetRequiredService<DiscussionsService.DiscussionsServiceClient>(), sp.GetRequiredService<GatewayCallerHeader>(), appId));
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.UseCallerAuthentication();
        app.MapIdentity();
        return app;
    }
}
