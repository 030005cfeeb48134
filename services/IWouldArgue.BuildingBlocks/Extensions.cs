using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.BuildingBlocks.Nats;
using Dapr;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NATS.Client.Core;

namespace IWouldArgue.BuildingBlocks;

/// <summary>Registers the pub/sub and state building blocks.</summary>
public static class Extensions
{
    /// <summary>
    /// In-process adapters by default; the Dapr adapters when <c>BuildingBlocks:Mode</c> is "dapr"; JetStream and its
    /// key/value store when it is "nats" (several processes without Dapr, see <see cref="NatsOptions"/>).
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
                services.AddDaprClient((sp, client) =>
                {
                    var dapr = sp.GetRequiredService<IOptions<DaprOptions>>().Value;
                    client.UseGrpcEndpoint(dapr.GrpcEndpoint.ToString()).UseHttpEndpoint(dapr.HttpEndpoint.ToString());
                    if (dapr.ApiToken is { Length: > 0 } token)
                    {
                        client.UseDaprApiToken(token);
                    }
                });
                services.AddSingleton<DaprPubSub>();
                var appApiToken = (configuration.GetSection(DaprOptions.SectionName).Get<DaprOptions>() ?? new DaprOptions()).AppApiToken;
                if (!string.IsNullOrEmpty(appApiToken))
                {
                    services.AddAuthentication().AddDapr(o => o.Token = appApiToken);
                    services.AddAuthorization(o => o.AddDapr(DaprOptions.SidecarPolicy));
                }
                // Deliveries arrive as CloudEvents; the SDK's middleware hands our endpoints the payload, with the
                // event's id and type as headers. First in the pipeline, so it applies before any endpoint runs.
                services.AddTransient<IStartupFilter, CloudEventsFirst>();
            }
            services.TryAddSingleton<IPubSub>(sp => sp.GetRequiredService<DaprPubSub>());
            services.TryAddSingleton<IStateStore, DaprStateStore>();
        }
        else if (string.Equals(configuration["BuildingBlocks:Mode"], "nats", StringComparison.OrdinalIgnoreCase))
        {
            if (!services.Any(d => d.ServiceType == typeof(NatsConnection)))
            {
                services.AddOptions<NatsOptions>().Bind(configuration.GetSection(NatsOptions.SectionName));
                services.AddSingleton(sp =>
                {
                    var nats = sp.GetRequiredService<IOptions<NatsOptions>>().Value;
                    return new NatsConnection(new NatsOpts
                    {
                        Url = nats.Url.ToString(),
                        Name = sp.GetRequiredService<IHostEnvironment>().ApplicationName,
                        LoggerFactory = sp.GetRequiredService<ILoggerFactory>(),
                    });
                });
                services.AddSingleton(sp => new NatsPubSub(
                    sp.GetRequiredService<NatsConnection>(),
                    sp.GetRequiredService<IOptions<NatsOptions>>(),
                    sp.GetRequiredService<IOptions<NatsOptions>>().Value.ConsumerGroup ?? sp.GetRequiredService<IHostEnvironment>().ApplicationName,
                    sp.GetRequiredService<ILogger<NatsPubSub>>()));
            }
            services.TryAddSingleton<IPubSub>(sp => sp.GetRequiredService<NatsPubSub>());
            services.TryAddSingleton<IStateStore, NatsStateStore>();
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
        if (endpoints.ServiceProvider.GetService<DaprPubSub>() is { } pubSub && !endpoints.DataSources.Contains(pubSub.Endpoints))
        {
            endpoints.DataSources.Add(pubSub.Endpoints);
            // Dapr reads GET /dapr/subscribe when the sidecar starts: every topic endpoint present by then is listed.
            var subscribe = endpoints.MapSubscribeHandler();
            if (pubSub.SidecarOnly)
            {
                subscribe.RequireAuthorization(DaprOptions.SidecarPolicy);
            }
            else
            {
                subscribe.AllowAnonymous();
            }
        }
        return endpoints;
    }

    private sealed class CloudEventsFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) => context.RequestServices.GetRequiredService<DaprPubSub>().DropUnreadableAsync(context, nextMiddleware));
            app.UseCloudEvents(new CloudEventsMiddlewareOptions
            {
                ForwardCloudEventPropertiesAsHeaders = true,
                IncludedCloudEventPropertiesAsHeaders = DaprPubSub.ForwardedAttributes,
            });
            next(app);
        };
    }
}
