namespace IWouldArgue.Rpc.Protocol;

/// <summary>Names and values fixed by the gRPC over HTTP/2 and gRPC-Web protocols.</summary>
internal static class GrpcProtocol
{
    public const string GrpcContentType = "application/grpc";
    public const string GrpcWebContentType = "application/grpc-web";
    public const string GrpcWebTextContentType = "application/grpc-web-text";

    public const string StatusTrailer = "grpc-status";
    public const string MessageTrailer = "grpc-message";
    public const string StatusDetailsTrailer = "grpc-status-details-bin";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string IdentityEncoding = "identity";

    /// <summary>The largest message accepted or sent unless configured otherwise: 4 MiB.</summary>
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>Which wire protocol a request's content-type asks for, or null when it is not gRPC at all.</summary>
    public static WireProtocol? FormatOf(string? contentType)
    {
        switch (contentType)
        {
            // The exact values clients send, matched without allocating.
            case null:
                return null;
            case GrpcContentType:
                return WireProtocol.Grpc;
            case "application/grpc-web+proto":
                return WireProtocol.GrpcWeb;
            case "application/grpc-web-text":
                return WireProtocol.GrpcWebText;
        }
        // "application/grpc-web-text+proto; charset=..." and the like: compare the media type only.
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.ToLowerInvariant() switch
        {
            GrpcContentType or "application/grpc+proto" => WireProtocol.Grpc,
            GrpcWebContentType or "application/grpc-web+proto" => WireProtocol.GrpcWeb,
            GrpcWebTextContentType or "application/grpc-web-text+proto" => WireProtocol.GrpcWebText,
            _ => null,
        };
    }

    /// <summary>True for headers the protocol owns, which are never handed to applications as metadata.</summary>
    public static bool IsReservedHeader(string name) =>
        name.StartsWith(':')
        || name is "content-type" or "te" or "host" or "content-length" or "connection" or "transfer-encoding"
            or "accept-encoding" or "user-agent" or "x-grpc-web" or "x-user-agent" or "accept" or "date" or "server"
        || (name.StartsWith("grpc-", StringComparison.Ordinal) && name != StatusDetailsTrailer);
}

/// <summary>The wire protocols a gRPC endpoint speaks.</summary>
internal enum WireProtocol
{
    /// <summary>gRPC over HTTP/2: status in HTTP/2 trailers.</summary>
    Grpc,
    /// <summary>gRPC-Web, binary: trailers as a final body frame.</summary>
    GrpcWeb,
    /// <summary>gRPC-Web, base64 text: the whole body base64-encoded.</summary>
    GrpcWebText,
}
