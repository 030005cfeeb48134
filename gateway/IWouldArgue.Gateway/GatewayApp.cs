using IWouldArgue.Archive;
using IWouldArgue.Attachments;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Diagnostics;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Gateway.Edge;
using IWouldArgue.Hosting;
using IWouldArgue.Identity;
using IWouldArgue.Live;
using IWouldArgue.Media;
using Grpc.AspNetCore.Server.Model;
using Grpc.Reflection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IWouldArgue.Gateway;

/// <summary>
/// The browser-facing edge. By default it hosts every service in its own process (the embedded default);
/// each service given under "Gateway:Upstreams" is instead forwarded to where it runs (the mesh).
/// </summary>
public static class GatewayApp
{
    /// <summary>Builds the gateway from command-line arguments (and appsettings); <paramref name="overrides"/> lets tests swap services.</summary>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? overrides = null)
    {
        var builder = ServiceDefaults.CreateBuilder(args);
        var upstreams = builder.Configuration.GetSection(UpstreamsOptions.SectionName).Get<UpstreamsOptions>() ?? new UpstreamsOptions();
        builder.AddServiceDefaults();
        builder.Services.AddOptions<EdgeOptions>().Bind(builder.Configuration.GetSection(EdgeOptions.SectionName));
        builder.Services.AddOptions<UpstreamsOptions>().Bind(builder.Configuration.GetSection(UpstreamsOptions.SectionName));
        builder.Services.AddOptions<DaprOptions>().Bind(builder.Configuration.GetSection(DaprOptions.SectionName));
        builder.Services.AddEdgeRateLimits();
        builder.Services.AddCallerAuthentication(builder.Configuration);
        builder.Services.AddSingleton<UpstreamCalls>();
        builder.Services.AddSingleton<HttpRelay>();
        builder.Services.AddSingleton<GrpcForwarder>();
        builder.Services.AddSingleton<IServiceMethodProvider<GrpcForwarder>, ForwardedServices>();
        builder.Services.AddOptions<AttachmentOptions>().Bind(builder.Configuration.GetSection(AttachmentOptions.SectionName));
        // DiagnosticsService answers anyone, so it is off unless an operator turns it on to check clients and proxies.
        var diagnostics = builder.Configuration.GetValue<bool>("Diagnostics:Enabled");
        if (diagnostics)
        {
            builder.Services.AddDiagnostics();
        }
        if (upstreams.Identity is null)
        {
            builder.Services.AddIdentity(builder.Configuration);
            builder.Services.AddSingleton<IGuestInvites, StoreGuestInvites>();
        }
        // Media, Attachments and Archive run beside Discussions (they read its store and append to its event log).
        if (upstreams.Discussions is null)
        {
            builder.Services.AddDiscussions(builder.Configuration);
            builder.Services.AddMedia(builder.Configuration);
            builder.Services.AddAttachments(builder.Configuration);
            builder.Services.AddArchive(builder.Configuration);
        }
        if (upstreams.Live is null)
        {
            builder.Services.AddLive(builder.Configuration);
        }
        else
        {
            // The state store is where Live instances register; the gateway reads it to route.
            builder.Services.AddBuildingBlocks(builder.Configuration);
            builder.Services.TryAddSingleton(TimeProvider.System);
            builder.Services.TryAddSingleton<LiveRoutes>();
            builder.Services.AddSingleton<EdgeFanouts>();
            builder.Services.AddSingleton<EdgeLive>();
            builder.Services.AddSingleton<UnreachableInstances>();
            builder.Services.AddHostedService<LiveRoutesWarmUp>();
            builder.Services.AddOptions<LiveOptions>().Bind(builder.Configuration.GetSection(LiveOptions.SectionName));
        }
        // Reflection lists the whole public contract, served here or forwarded.
        builder.Services.AddSingleton(new ReflectionServiceImpl(PublicContract.Services.Where(s => diagnostics || s != DiagnosticsService.Descriptor)));
        overrides?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapServiceDefaults();
        app.UseSecurityHeaders();
        app.UseAddressRateLimit();
        // The web client's files are served before authorization, which would otherwise ask them for a caller.
        app.MapWebClient();
        app.UseCallerAuthentication();
        app.UseUserRateLimit();
        if (diagnostics)
        {
            app.MapDiagnostics();
        }
        if (upstreams.Identity is null)
        {
            app.MapIdentity();
        }
        if (upstreams.Discussions is null)
        {
            app.MapDiscussions();
            app.MapMedia();
            app.MapAttachments();
            app.MapArchive();
        }
        else
        {
            app.MapHttpRelay(AttachmentEndpoints.Prefix, upstreams.Discussions, "Attachments");
            app.MapHttpRelay(ArchiveEndpoints.Prefix, upstreams.Discussions, "Archive");
        }
        if (upstreams.Identity is not null || upstreams.Discussions is not null)
        {
            // The service behind decides who may call (it sees the caller the gateway signed): relayed as is.
            app.MapGrpcService<GrpcForwarder>().AllowAnonymous();
        }
        if (upstreams.Live is null)
        {
            app.MapLive();
        }
        else
        {
            app.MapGrpcService<EdgeLive>();
        }
        return app;
    }
}
