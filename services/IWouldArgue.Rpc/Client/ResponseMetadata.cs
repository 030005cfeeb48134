using System.Net.Http.Headers;
using IWouldArgue.Rpc.Protocol;

namespace IWouldArgue.Rpc;

/// <summary>Turns response headers or trailers into call metadata.</summary>
internal static class ResponseMetadata
{
    public static Metadata From(HttpHeaders headers)
    {
        var metadata = new Metadata();
        foreach (var (name, values) in headers.NonValidated)
        {
            foreach (var value in values)
            {
                WireMetadata.Add(metadata, name, value);
            }
        }
        return metadata;
    }
}
