using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IWouldArgue.Contracts;

/// <summary>
/// What <c>grpc.health.v1.Health</c> reports: each check (a store, the building blocks, the voice server) is
/// registered once, and each service is SERVING while every check it depends on is healthy. The whole
/// server ("") depends on every check that is not optional, so a server without voice is still serving.
/// </summary>
public static class ServiceHealth
{
    /// <summary>The tag of checks that the whole server ("") does not depend on.</summary>
    public const string Optional = "optional";

    /// <summary>Adds a check under <paramref name="name"/> unless one by that name was added before.</summary>
    public static IServiceCollection AddHealthCheckOnce(this IServiceCollection services, string name, Func<IServiceProvider, IHealthCheck> create, bool optional = false)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(RegisteredCheck) && ((RegisteredCheck)d.ImplementationInstance!).Name == name))
        {
            return services;
        }
        services.AddSingleton(new RegisteredCheck(name));
        services.AddHealthChecks().Add(new HealthCheckRegistration(name, create, HealthStatus.Unhealthy, optional ? [Optional] : []));
        return services;
    }

    /// <summary>Reports <paramref name="serviceName"/> (a full gRPC service name) as serving while the named checks are healthy.</summary>
    public static IServiceCollection MapServiceHealth(this IServiceCollection services, string serviceName, params string[] checkNames) =>
        services.Configure<GrpcHealthChecksOptions>(o =>
        {
            o.Services.Remove(serviceName);
            o.Services.Map(serviceName, check => checkNames.Contains(check.Name));
        });

    private sealed record RegisteredCheck(string Name);
}
