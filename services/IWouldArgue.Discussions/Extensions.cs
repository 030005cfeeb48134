using IWouldArgue.Contracts.V1;
using IWouldArgue.Contracts;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Discussions.Api;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions;

/// <summary>Registers and maps the Discussions service.</summary>
public static class Extensions
{
    /// <summary>Adds the Discussions service on its store (SQLite or PostgreSQL), its event log, publisher and auto-end job.</summary>
    public static IServiceCollection AddDiscussions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DiscussionOptions>().Bind(configuration.GetSection(DiscussionOptions.SectionName));
        services.AddBuildingBlocks(configuration);
        services.AddSingleton<IDiscussionStore>(sp => sp.GetRequiredService<IOptions<DiscussionOptions>>().Value.CreateStore());
        services.AddSingleton<StoreMigration>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreMigration>());
        services.AddSingleton<LiveRoutes>();
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<EventAppender>();
        services.AddSingleton<AutoEndJob>();
        services.AddHostedService(sp => sp.GetRequiredService<EventPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<EventAppender>());
        services.AddHostedService(sp => sp.GetRequiredService<AutoEndJob>());
        services.AddSingleton<RaisedHands>();
        services.AddSingleton<PinnedComments>();
        services.AddSingleton<CommentRateLimiter>();
        services.AddCallerAuthentication(configuration);
        services.AddSingleton<JoinByLink>();
        services.AddSingleton<DiscussionsApi>();
        services.AddDiscussionStoreCheck();
        services.MapServiceHealth(DiscussionsService.Descriptor.FullName, DiscussionsHealth.Dependencies);
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.DiscussionsService</c> (and the Dapr sidecar's routes in Dapr mode).</summary>
    public static IEndpointConventionBuilder MapDiscussions(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBuildingBlocks();
        return endpoints.MapGrpcService<DiscussionsApi>();
    }
}
