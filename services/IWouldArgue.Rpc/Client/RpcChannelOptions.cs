namespace IWouldArgue.Rpc;

/// <summary>How a channel connects and what it accepts.</summary>
public sealed class RpcChannelOptions
{
    /// <summary>The largest response message accepted, in bytes. Default: 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = Protocol.GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>The largest request message sent, in bytes. Default: 4 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = Protocol.GrpcProtocol.DefaultMaxMessageSize;

    /// <summary>The HTTP handler to send with; default: a pooled SocketsHttpHandler with HTTP/2 keep-alive pings.</summary>
    public HttpMessageHandler? HttpHandler { get; set; }
}
