using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Hosting;
using IWouldArgue.Rpc;

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
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.Services.AddIdentity(builder.Configuration);
        var discussions = builder.Configuration.GetSection("Identity:Discussions");
        var appId = discussions["DaprAppId"];
        var sidecar = builder.Configuration.GetSection(DaprOptions.SectionName).Get<DaprOptions>() ?? new DaprOptions();
        var address = discussions.GetValue<Uri?>("Address") ?? (appId is null ? null : sidecar.GrpcEndpoint)
            ?? throw new InvalidOperationException("Set Identity:Discussions:Address (or Identity:Discussions:DaprAppId) so guests can join by link.");
        builder.Services.AddSingleton(_ => RpcChannel.ForAddress(address));
        builder.Services.AddSingleton<IGuestInvites>(sp => new DiscussionsGuestInvites(new DiscussionsService.Client(sp.GetRequiredService<RpcChannel>()), appId));
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseCallerAuthentication(CallerSource.Gateway);
        app.MapServiceDefaults();
        app.MapIdentity();
        return app;
    }
}
