using IWouldArgue.Discussions;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Contracts;
using IWouldArgue.Auth;
using IWouldArgue.Media;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IWouldArgue.Archive;

/// <summary>Registers and maps the Archive service.</summary>
public static class Extensions
{
    /// <summary>Adds the Archive service and its purge job (beside Discussions and Attachments, whose stores it reads).</summary>
    public static IServiceCollection AddArchive(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ArchiveOptions>().Bind(configuration.GetSection(ArchiveOptions.SectionName));
        services.AddCallerAuthentication(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RecordingFiles>();
        services.AddSingleton<ArchivedDiscussions>();
        services.AddSingleton<RecordingLinks>();
        services.AddSingleton<PurgeJob>();
        services.AddHostedService(sp => sp.GetRequiredService<PurgeJob>());
        services.AddSingleton<ArchiveApi>();
        services.MapServiceHealth(ArchiveService.Descriptor.FullName, DiscussionsHealth.Store);
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.ArchiveService</c> and the export and recording downloads.</summary>
    public static IEndpointConventionBuilder MapArchive(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapArchiveDownloads();
        return endpoints.MapGrpcService<ArchiveApi>();
    }
}
