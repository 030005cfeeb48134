using IWouldArgue.Discussions;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Contracts;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Media.Api;
using IWouldArgue.Media.LiveKit;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IWouldArgue.Media;

/// <summary>Registers and maps the Media service.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds the Media service. It reads discussions and appends mute events through the Discussions store
    /// and event log in the same process (as Live does), so register it with Discussions.
    /// </summary>
    public static IServiceCollection AddMedia(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MediaOptions>().Bind(configuration.GetSection(MediaOptions.SectionName))
            .Validate(o => o.LiveKitUrl is null || o.LiveKitUrl.Scheme is "ws" or "wss" or "http" or "https", "Media:LiveKitUrl must be a ws(s):// or http(s):// address.")
            .Validate(o => o.RecordTo != RecordingStorage.S3 || configuration["Attachments:S3:ServiceUrl"] is { Length: > 0 },
                "Media:RecordTo is S3: set Attachments:S3:ServiceUrl (and its bucket and keys), where recordings go.")
            .ValidateOnStart();
        services.AddBuildingBlocks(configuration);
        services.AddCallerAuthentication(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<LiveKitTokens>();
        services.AddHttpClient<LiveKitServer>();
        services.TryAddSingleton<RecordingFiles>();
        services.AddSingleton<Recordings>();
        services.AddSingleton<VoiceRooms>();
        services.AddHostedService(sp => sp.GetRequiredService<VoiceRooms>());
        services.AddSingleton<MediaApi>();
        services.AddHealthCheckOnce(VoiceConfiguredCheck.Name, sp => ActivatorUtilities.CreateInstance<VoiceConfiguredCheck>(sp), optional: true);
        services.MapServiceHealth(MediaService.Descriptor.FullName, DiscussionsHealth.Store, VoiceConfiguredCheck.Name);
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.MediaService</c> and LiveKit's webhook endpoint.</summary>
    public static IEndpointConventionBuilder MapMedia(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapLiveKitWebhooks();
        return endpoints.MapGrpcService<MediaApi>();
    }
}
