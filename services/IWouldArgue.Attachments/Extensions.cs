using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Auth;
using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IWouldArgue.Attachments;

/// <summary>Registers and maps the Attachments service.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds the Attachments service on local-disk blobs. It checks membership and appends events through the
    /// Discussions store and event log in the same process, so register it with Discussions.
    /// </summary>
    public static IServiceCollection AddAttachments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AttachmentOptions>().Bind(configuration.GetSection(AttachmentOptions.SectionName))
            .Validate(o => o.MaxBytes > 0 && o.QuotaBytesPerDiscussion >= o.MaxBytes, "Attachments:MaxBytes must be positive and at most the quota.")
            .ValidateOnStart();
        services.AddCallerAuthentication(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBlobStore, LocalDiskBlobStore>();
        services.AddSingleton<AttachmentService>();
        services.AddSingleton<AttachmentsApi>();
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.AttachmentsService</c> and the HTTP upload and download endpoints.</summary>
    public static IEndpointConventionBuilder MapAttachments(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAttachmentEndpoints();
        return endpoints.MapRpcService<AttachmentsApi>();
    }
}
