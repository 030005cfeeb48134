using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Diagnostics;

/// <summary>Registers and maps the diagnostics service.</summary>
public static class Extensions
{
    /// <summary>Adds the diagnostics service.</summary>
    public static IServiceCollection AddDiagnostics(this IServiceCollection services) =>
        services.AddSingleton<DiagnosticsApi>();

    /// <summary>Maps <c>iwouldargue.v1.DiagnosticsService</c>.</summary>
    public static IEndpointConventionBuilder MapDiagnostics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<DiagnosticsApi>();
}
