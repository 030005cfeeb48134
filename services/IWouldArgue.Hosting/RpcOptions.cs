using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Hosting;

/// <summary>Message limits and browser access of a host's gRPC services, bound from the "Rpc" section.</summary>
public sealed class RpcOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Rpc";

    /// <summary>The largest request message accepted, in bytes (RESOURCE_EXHAUSTED above). Default: 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>The largest response message sent, in bytes. Default: 4 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Origins that browsers may call gRPC-Web from, e.g. "https://app.example.com"; "*" allows any. Default: none (same origin only).</summary>
    public List<string> CorsOrigins { get; } = [];
}

/// <summary>Gives grpc-dotnet the limits of <see cref="RpcOptions"/>.</summary>
internal sealed class RpcLimits(IOptions<RpcOptions> rpc) : IConfigureOptions<GrpcServiceOptions>
{
    public void Configure(GrpcServiceOptions options)
    {
        options.MaxReceiveMessageSize = rpc.Value.MaxReceiveMessageSize;
        options.MaxSendMessageSize = rpc.Value.MaxSendMessageSize;
    }
}
