using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;

namespace IWouldArgue.Rpc.Tests.Infrastructure;

/// <summary>Hand-built HTTP requests, for what a well-behaved client never sends.</summary>
public static class RawGrpc
{
    public static byte[] Frame(IMessage message, byte flags = 0) => Frame(message.ToByteArray(), flags);

    public static byte[] Frame(byte[] payload, byte flags = 0)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public static HttpClient Http2Client() => new()
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    public static HttpRequestMessage Post(Uri address, string path, byte[] body, string contentType = "application/grpc", Version? version = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.TryAddWithoutValidation("te", "trailers");
        return request;
    }

    /// <summary>The grpc-status of a response, from its trailers or, for trailers-only answers, its headers.</summary>
    public static async Task<(int Status, string? Message)> StatusOf(HttpResponseMessage response)
    {
        await response.Content.ReadAsByteArrayAsync();
        var source = response.TrailingHeaders.Contains("grpc-status") ? (HttpHeaders)response.TrailingHeaders : response.Headers;
        var message = source.TryGetValues("grpc-message", out var m) ? m.First() : null;
        return (int.Parse(source.GetValues("grpc-status").First(), System.Globalization.CultureInfo.InvariantCulture), message);
    }
}
