using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.BuildingBlocks.InProcess;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IWouldArgue.BuildingBlocks;

/// <summary>Registers the pub/sub and state building blocks.</summary>
public static class Extensions
{
    /// <summary>
    /// In-process adapters by default; the Dapr adapters when <c>BuildingBlocks:Mode</c> is "dapr".
    /// Safe to call from several services' registrations, and an adapter registered before (a test's, say) is kept.
    /// </summary>
    public static IServiceCollection AddBuildingBlocks(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (!services.Any(d => d.ServiceType == typeof(BuildingBlocksCheck)))
        {
            services.AddSingleton<BuildingBlocksCheck>();
            services.AddHealthChecks().AddCheck<BuildingBlocksCheck>(BuildingBlocksCheck.Name);
        }
        if (string.Equals(configuration["BuildingBlocks:Mode"], "dapr", StringComparison.OrdinalIgnoreCase))
        {
            if (!services.Any(d => d.ServiceType == typeof(DaprPubSub)))
            {
                services.AddOptions<DaprOptions>().Bind(configuration.GetSection(DaprOptions.SectionName));
                services.AddHttpClient<DaprHttp>();
                services.AddSingleton<DaprPubSub>();
            }
            services.TryAddSingleton<IPubSub>(sp => sp.GetRequiredService<DaprPubSub>());
            services.TryAddSingleton<IStateStore, DaprStateStore>();
        }
        else
        {
            services.TryAddSingleton<IPubSub, InProcessPubSub>();
            services.TryAddSingleton<IStateStore, InProcessStateStore>();
        }
        return services;
    }

    /// <summary>
    /// Maps the routes the Dapr sidecar calls (subscriptions, deliveries) when running in Dapr mode. Safe to
    /// call from several services' mappings: the routes are mapped once (twice would make them ambiguous).
    /// </summary>
    public static IEndpointRouteBuilder MapBuildingBlocks(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var mapped = endpoints.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .Any(e => e.RoutePattern.RawText == DaprEndpoints.SubscribeRoute);
        if (!mapped && endpoints.ServiceProvider.GetService<DaprPubSub>() is not null)
        {
            endpoints.MapDaprPubSub();
        }
        return endpoints;
    }
}
