using System.Net.Http.Headers;
using IWouldArgue.Rpc.Protocol;
using IWouldArgue.Rpc.Server;

namespace IWouldArgue.Rpc;

/// <summary>Turns response headers or trailers into metadata, leaving out the protocol's own.</summary>
internal static class ResponseMetadata
{
    public static Metadata From(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers.NonValidated)
        {
            var key = name.ToLowerInvariant();
            if (GrpcProtocol.IsReservedHeader(key) || key is "date" or "server")
            {
                continue;
            }
            foreach (var value in values)
            {
                if (Metadata.IsBinaryKey(key))
                {
                    foreach (var part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        metadata.Add(key, RequestMetadata.DecodeBinary(key, part));
                    }
                }
                else
                {
                    metadata.Add(key, value);
                }
            }
        }
        return metadata;
    }
}
