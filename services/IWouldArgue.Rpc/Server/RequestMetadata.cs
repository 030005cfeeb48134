using IWouldArgue.Rpc.Protocol;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Rpc.Server;

/// <summary>Turns request headers into call metadata.</summary>
internal static class RequestMetadata
{
    public static Metadata From(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                WireMetadata.Add(metadata, name, value);
            }
        }
        return metadata;
    }
}
