using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Gateway;

/// <summary>The services integrators reach through the gateway, as server reflection describes them.</summary>
internal static class PublicContract
{
    public static IReadOnlyList<Google.Protobuf.Reflection.ServiceDescriptor> Services { get; } =
    [
        IdentityService.Descriptor,
        DiscussionsService.Descriptor,
        LiveService.Descriptor,
        MediaService.Descriptor,
        AttachmentsService.Descriptor,
        ArchiveService.Descriptor,
        DiagnosticsService.Descriptor,
        Grpc.Health.V1.Health.Descriptor,
    ];
}
