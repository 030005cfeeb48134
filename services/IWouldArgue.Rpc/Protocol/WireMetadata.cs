namespace IWouldArgue.Rpc.Protocol;

/// <summary>
/// Metadata as received in request or response headers and trailers: the protocol's own headers are
/// left out, values are kept as sent, and -bin values are decoded (padded or not; several may arrive
/// comma-separated in one header).
/// </summary>
internal static class WireMetadata
{
    public static void Add(Metadata metadata, string name, string? value)
    {
        var key = name.ToLowerInvariant();
        if (value is null || GrpcProtocol.IsReservedHeader(key))
        {
            return;
        }
        if (!Metadata.IsBinaryKey(key))
        {
            metadata.Add(Metadata.Entry.Unchecked(key, value));
            return;
        }
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            metadata.Add(Metadata.Entry.Unchecked(key, DecodeBinary(key, part)));
        }
    }

    private static byte[] DecodeBinary(string key, string value)
    {
        var padded = (value.Length % 4) switch
        {
            2 => value + "==",
            3 => value + "=",
            _ => value,
        };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            throw new RpcException(StatusCode.Internal, $"Metadata '{key}' is not valid base64.");
        }
    }
}
