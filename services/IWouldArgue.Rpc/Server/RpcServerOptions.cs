namespace IWouldArgue.Rpc;

/// <summary>Limits and browser access of the RPC server, bound from the "Rpc" configuration section.</summary>
public sealed class RpcServerOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Rpc";

    /// <summary>The largest request message accepted, in bytes. Default: 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = Protocol.GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>The largest response message sent, in bytes. Default: 4 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = Protocol.GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>Per-service limits, keyed by the full service name (e.g. "iwouldargue.v1.AttachmentsService"). Default: none.</summary>
    public Dictionary<string, RpcMessageLimits> Services { get; } = new(StringComparer.Ordinal);

    /// <summary>Origins that browsers may call gRPC-Web from, e.g. "https://app.example.com"; "*" allows any. Default: none (same origin only).</summary>
    public List<string> CorsOrigins { get; } = [];

    /// <summary>The limits in force for one service.</summary>
    public RpcMessageLimits LimitsFor(string serviceName)
    {
        Services.TryGetValue(serviceName, out var overrides);
        return new RpcMessageLimits
        {
            MaxReceiveMessageSize = overrides?.MaxReceiveMessageSize ?? MaxReceiveMessageSize,
            MaxSendMessageSize = overrides?.MaxSendMessageSize ?? MaxSendMessageSize,
        };
    }
}

/// <summary>Message size limits of one service; unset values fall back to the server's.</summary>
public sealed class RpcMessageLimits
{
    /// <summary>The largest request message accepted, in bytes.</summary>
    public int? MaxReceiveMessageSize { get; set; }

    /// <summary>The largest response message sent, in bytes.</summary>
    public int? MaxSendMessageSize { get; set; }
}
