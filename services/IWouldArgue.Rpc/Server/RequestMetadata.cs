using IWouldArgue.Rpc.Protocol;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Rpc.Server;

/// <summary>Turns request headers into call metadata, leaving out the protocol's own headers.</summary>
internal static class RequestMetadata
{
    public static Metadata From(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
        {
            var key = name.ToLowerInvariant();
            if (GrpcProtocol.IsReservedHeader(key))
            {
                continue;
            }
            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }
                if (Metadata.IsBinaryKey(key))
                {
                    // Several binary values may arrive joined by commas in one header.
                    foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        metadata.Add(key, DecodeBinary(key, part));
                    }
                }
                else
                {
                    metadata.Add(new MetadataHeader(key, value).ToEntry());
                }
            }
        }
        return metadata;
    }

    /// <summary>Decodes a -bin value, padded or not, as the protocol allows both.</summary>
    public static byte[] DecodeBinary(string key, string value)
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

    // Header values from the wire may hold characters the Metadata API refuses from applications; keep them as sent.
    private readonly record struct MetadataHeader(string Key, string Value)
    {
        public Metadata.Entry ToEntry()
        {
            try
            {
                return Metadata.Entry.Text(Key, Value);
            }
            catch (ArgumentException)
            {
                return Metadata.Entry.Text(Key, new string([.. Value.Where(c => c is >= (char)0x20 and <= (char)0x7E)]));
            }
        }
    }
}
