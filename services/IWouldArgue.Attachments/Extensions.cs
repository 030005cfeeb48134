using IWouldArgue.Discussions;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Contracts;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Auth;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments;

/// <summary>Registers and maps the Attachments service.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds the Attachments service on local-disk blobs, or an S3-compatible store when Attachments:S3:ServiceUrl is set. It checks membership and appends events through the
    /// Discussions store and event log in the same process, so register it with Discussions.
    /// </summary>
    public static IServiceCollection AddAttachments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AttachmentOptions>().Bind(configuration.GetSection(AttachmentOptions.SectionName))
            .Validate(o => o.MaxBytes > 0 && o.QuotaBytesPerDiscussion >= o.MaxBytes, "Attachments:MaxBytes must be positive and at most the quota.")
            .ValidateOnStart();
        services.AddCallerAuthentication(configuration);
        services.TryAddSingleton(TimeProvider.System);
        var s3 = configuration.GetSection("Attachments:S3");
        services.AddOptions<S3Options>().Bind(s3);
        if (s3.GetValue<Uri?>(nameof(S3Options.ServiceUrl)) is not null)
        {
            services.TryAddSingleton(sp => S3BlobStore.CreateClient(sp.GetRequiredService<IOptions<S3Options>>().Value));
            services.TryAddSingleton<IBlobStore, S3BlobStore>();
        }
        else
        {
            services.TryAddSingleton<IBlobStore, LocalDiskBlobStore>();
        }
        services.AddSingleton<BlobCollector>();
        services.AddHostedService(sp => sp.GetRequiredService<BlobCollector>());
        services.AddSingleton<AttachmentService>();
        services.AddSingleton<Avatars>();
        services.MapServiceHealth(AttachmentsService.Descriptor.FullName, DiscussionsHealth.Store);
        services.AddSingleton<AttachmentsApi>();
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.AttachmentsService</c> and the HTTP upload and download endpoints.</summary>
    public static IEndpointConventionBuilder MapAttachments(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapAttachmentEndpoints();
        return endpoints.MapGrpcService<AttachmentsApi>();
    }
}
