using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
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

    /// <summary>A gRPC-Web request as a browser sends it (base64 of the frame for the text formats).</summary>
    public static HttpRequestMessage WebRequest(Uri address, string path, byte[] frame, string contentType, bool text, Version version)
    {
        var content = text ? Encoding.ASCII.GetBytes(Convert.ToBase64String(frame)) : frame;
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(address, path))
        {
            Version = version,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(content),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("x-grpc-web", "1");
        return request;
    }

    /// <summary>A gRPC-Web response's body, decoded from base64 for the text formats.</summary>
    public static async Task<byte[]> ReadWebBody(HttpResponseMessage response, bool text)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        if (!text)
        {
            return bytes;
        }
        // Each frame is padded base64 of its own; decode group by group as browsers do.
        var decoder = new Rpc.Protocol.Base64TextDecoder();
        var output = new byte[Rpc.Protocol.Base64TextDecoder.MaxDecodedLength(bytes.Length)];
        return output[..decoder.Decode(bytes, output)];
    }

    /// <summary>The frames of a gRPC-Web body: messages, then the trailers frame (flag 0x80).</summary>
    public static List<(byte Flags, byte[] Payload)> WebFrames(byte[] body)
    {
        var frames = new List<(byte, byte[])>();
        for (var i = 0; i < body.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(i + 1));
            frames.Add((body[i], body[(i + 5)..(i + 5 + length)]));
            i += 5 + length;
        }
        return frames;
    }
}
