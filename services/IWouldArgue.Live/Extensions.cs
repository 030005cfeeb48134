using IWouldArgue.Contracts.V1;
using IWouldArgue.Contracts;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Discussions;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Live.Api;
using IWouldArgue.Live.Fanout;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Live;

/// <summary>Registers and maps the Live service.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds the Live service. It reads discussions through <see cref="IDiscussionFeed"/>: by default straight
    /// from the Discussions store (the one <c>AddDiscussions</c> registered, or the configured SQLite file).
    /// </summary>
    public static IServiceCollection AddLive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LiveOptions>().Bind(configuration.GetSection(LiveOptions.SectionName));
        services.AddOptions<DiscussionOptions>().Bind(configuration.GetSection(DiscussionOptions.SectionName));
        services.AddBuildingBlocks(configuration);
        services.TryAddSingleton<IDiscussionStore>(sp => sp.GetRequiredService<IOptions<DiscussionOptions>>().Value.CreateStore());
        services.TryAddSingleton<RaisedHands>();
        services.TryAddSingleton<PinnedComments>();
        services.AddCallerAuthentication(configuration);
        services.TryAddSingleton<LiveRoutes>();
        services.TryAddSingleton<IDiscussionFeed, StoreDiscussionFeed>();
        services.AddSingleton(sp => LiveInstanceInfo.From(sp.GetRequiredService<IOptions<LiveOptions>>().Value));
        services.TryAddSingleton<PresenceLog>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<LiveHub>();
        services.AddHostedService<LiveInstance>();
        services.AddSingleton<LiveApi>();
        services.AddDiscussionStoreCheck();
        services.MapServiceHealth(LiveService.Descriptor.FullName, DiscussionsHealth.Dependencies);
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.LiveService</c> (and the Dapr sidecar's routes in Dapr mode).</summary>
    public static IEndpointConventionBuilder MapLive(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapBuildingBlocks();
        return endpoints.MapGrpcService<LiveApi>();
    }
}
