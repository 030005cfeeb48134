using IWouldArgue.Rpc.Health;
using IWouldArgue.Rpc.Protocol;
using IWouldArgue.Rpc.Reflection;
using IWouldArgue.Rpc.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Rpc;

/// <summary>Registers and maps gRPC services on ASP.NET Core.</summary>
public static class RpcServerExtensions
{
    /// <summary>Adds the RPC server, its options (from the "Rpc" section when given), health and reflection.</summary>
    public static IServiceCollection AddRpcServer(this IServiceCollection services, IConfiguration? configuration = null)
    {
        var options = services.AddOptions<RpcServerOptions>();
        if (configuration is not null)
        {
            options.Bind(configuration.GetSection(RpcServerOptions.SectionName));
        }
        services.AddSingleton<RpcServiceRegistry>();
        services.AddSingleton<HealthStatusStore>();
        services.AddCors();
        services.AddSingleton<IConfigureOptions<CorsOptions>, RpcCors>();
        return services;
    }

    /// <summary>
    /// Maps every RPC of <typeparamref name="TService"/> (a class derived from a generated ServiceBase).
    /// One instance serves every call, so it must be thread-safe: the one registered in DI, or else one
    /// created on first use with its constructor dependencies from DI. Per-request services are at hand
    /// through <c>context.HttpContext.RequestServices</c>. When <c>Rpc:CorsOrigins</c> is set, the host must call
    /// <c>UseCors()</c> (the shared <c>MapServiceDefaults</c> does).
    /// </summary>
    public static IEndpointConventionBuilder MapRpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class, IRpcService
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var services = endpoints.ServiceProvider;
        var registry = services.GetRequiredService<RpcServiceRegistry>();
        if (!registry.Add(TService.Descriptor))
        {
            throw new InvalidOperationException($"Service {TService.Descriptor.FullName} is mapped twice.");
        }
        var options = services.GetRequiredService<IOptions<RpcServerOptions>>().Value;
        var limits = options.LimitsFor(TService.Descriptor.FullName);
        var crossOrigin = options.CorsOrigins.Count > 0;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("IWouldArgue.Rpc.Server");
        // Resolved on first call, not here: the service may depend on things registered after mapping.
        var instance = new Lazy<TService>(() => ActivatorUtilities.GetServiceOrCreateInstance<TService>(services));
        object Activate(HttpContext context) => instance.Value;

        var binder = new RpcServiceBinder(endpoints, TService.Descriptor, new ServerCallHandlers(Activate, limits, logger), crossOrigin);
        TService.Bind(binder);
        MapUnimplementedFallback(endpoints, registry, logger, crossOrigin);
        services.GetRequiredService<HealthStatusStore>().SetStatus(TService.Descriptor.FullName, Health.V1.HealthCheckResponse.Types.ServingStatus.Serving);
        return new CompositeConventionBuilder(binder.Mapped);
    }

    /// <summary>Maps <c>grpc.health.v1.Health</c> and server reflection (v1 and v1alpha).</summary>
    public static IEndpointRouteBuilder MapRpcHealthAndReflection(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapRpcService<HealthService>();
        endpoints.MapRpcService<ReflectionService>();
        endpoints.MapRpcService<ReflectionV1AlphaService>();
        return endpoints;
    }

    // Any other POST to "/{service}/{method}" with a gRPC content type is answered UNIMPLEMENTED, as the spec asks.
    private static void MapUnimplementedFallback(IEndpointRouteBuilder endpoints, RpcServiceRegistry registry, ILogger logger, bool crossOrigin)
    {
        if (registry.FallbackMapped)
        {
            return;
        }
        registry.FallbackMapped = true;
        var fallback = endpoints.MapPost("/{service}/{method}", (HttpContext context, string service) =>
        {
            if (GrpcProtocol.FormatOf(context.Request.ContentType) is not { } format)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            ServerLog.Unimplemented(logger, context.Request.Path.Value ?? "");
            var detail = registry.Contains(service) ? "Method is unimplemented." : "Service is unimplemented.";
            return ServerCall.RespondWithStatusAsync(context, format, new Status(StatusCode.Unimplemented, detail));
        })
        .WithDisplayName("gRPC unimplemented");
        fallback.Add(b => ((RouteEndpointBuilder)b).Order = int.MaxValue);
        RpcCors.Apply(fallback, crossOrigin);
    }

    private sealed class CompositeConventionBuilder(IReadOnlyList<IEndpointConventionBuilder> builders) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention)
        {
            foreach (var builder in builders)
            {
                builder.Add(convention);
            }
        }
    }

    /// <summary>
    /// Ends a gRPC or gRPC-Web request before it reaches its service (from middleware: a rate limit, a
    /// refused token) with the exception's status and trailers, as the service would have. False, and
    /// nothing written, when the request is not a gRPC call.
    /// </summary>
    public static async Task<bool> TryRespondWithRpcErrorAsync(this HttpContext context, RpcException error)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(error);
        if (GrpcProtocol.FormatOf(context.Request.ContentType) is not { } format || context.Response.HasStarted)
        {
            return false;
        }
        await ServerCall.RespondWithStatusAsync(context, format, error.Status, error.Trailers);
        return true;
    }
}
