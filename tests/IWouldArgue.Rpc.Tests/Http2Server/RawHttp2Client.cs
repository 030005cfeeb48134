using System.Buffers.Binary;
using System.Net.Sockets;
using System.Threading.Channels;
using Google.Protobuf;
using IWouldArgue.Http2;
using IWouldArgue.Http2.Hpack;

namespace IWouldArgue.Rpc.Tests.Http2Server;

/// <summary>
/// A frame-level HTTP/2 client for protocol tests: it sends exactly the frames a test asks for (including wrong
/// ones) and hands every frame the server sends to the test in order.
/// </summary>
internal sealed class RawHttp2Client : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly Task _reading;

    private RawHttp2Client(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reading = ReadLoopAsync();
    }

    public sealed record Frame(FrameType Type, byte Flags, int StreamId, byte[] Payload)
    {
        public uint ErrorCode => BinaryPrimitives.ReadUInt32BigEndian(Type == FrameType.GoAway ? Payload.AsSpan(4) : Payload);
    }

    /// <summary>Connects and sends the preface and a SETTINGS frame with these (id, value) pairs.</summary>
    public static async Task<RawHttp2Client> ConnectAsync(Uri address, params (ushort Id, uint Value)[] settings)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(address.Host, address.Port);
        var client = new RawHttp2Client(tcp);
        await client.SendRawAsync(Frames.ClientPreface.ToArray());
        var payload = new byte[6 * settings.Length];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(6 * i + 2), settings[i].Value);
        }
        await client.SendAsync(FrameType.Settings, 0, 0, payload);
        return client;
    }

    /// <summary>Waits for the server's SETTINGS and acknowledges them, after which the server holds us to them.</summary>
    public async Task AcknowledgeSettingsAsync()
    {
        await NextAsync(f => f.Type == FrameType.Settings && f.Flags == 0);
        await SendAsync(FrameType.Settings, Frames.Ack, 0, []);
    }

    public Task SendRawAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendAsync(FrameType type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[Frames.HeaderSize + payload.Length];
        Frames.WriteHeader(frame, payload.Length, type, flags, streamId);
        payload.CopyTo(frame, Frames.HeaderSize);
        return SendRawAsync(frame);
    }

    /// <summary>Opens a gRPC call on <paramref name="streamId"/>: headers, then the message, ending the request.</summary>
    public async Task StartCallAsync(int streamId, string path, IMessage request, params (string Name, string Value)[] extraHeaders)
    {
        await SendAsync(FrameType.Headers, Frames.EndHeaders, streamId, RequestBlock(path, extraHeaders));
        var message = request.ToByteArray();
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        await SendAsync(FrameType.Data, Frames.EndStream, streamId, framed);
    }

    public static byte[] RequestBlock(string path, params (string Name, string Value)[] extraHeaders)
    {
        var block = new ByteBuffer();
        HpackEncoder.WriteField(block, ":method", "POST");
        HpackEncoder.WriteField(block, ":scheme", "http");
        HpackEncoder.WriteField(block, ":path", path);
        HpackEncoder.WriteField(block, ":authority", "localhost");
        HpackEncoder.WriteField(block, "content-type", "application/grpc");
        HpackEncoder.WriteField(block, "te", "trailers");
        foreach (var (name, value) in extraHeaders)
        {
            HpackEncoder.WriteField(block, name, value);
        }
        return block.WrittenSpan.ToArray();
    }

    public static byte[] WindowUpdate(int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        return payload;
    }

    public static byte[] ErrorCodePayload(Http2ErrorCode code)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        return payload;
    }

    /// <summary>The next frame the server sent that matches, skipping others; null if the connection closed first.</summary>
    public async Task<Frame?> NextAsync(Func<Frame, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            while (await _frames.Reader.WaitToReadAsync(cts.Token))
            {
                while (_frames.Reader.TryRead(out var frame))
                {
                    if (match(frame))
                    {
                        return frame;
                    }
                }
            }
            return null;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException("The server sent no such frame in time.");
        }
    }

    /// <summary>Every frame that arrives within <paramref name="quiet"/> of the previous one.</summary>
    public async Task<List<Frame>> DrainAsync(TimeSpan quiet)
    {
        var frames = new List<Frame>();
        while (true)
        {
            using var cts = new CancellationTokenSource(quiet);
            try
            {
                if (!await _frames.Reader.WaitToReadAsync(cts.Token))
                {
                    return frames;
                }
            }
            catch (OperationCanceledException)
            {
                return frames;
            }
            while (_frames.Reader.TryRead(out var frame))
            {
                frames.Add(frame);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _reading;
    }

    private async Task ReadLoopAsync()
    {
        var header = new byte[Frames.HeaderSize];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header);
                var (length, type, flags, streamId) = Frames.ReadHeader(header);
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload);
                await _frames.Writer.WriteAsync(new Frame(type, flags, streamId, payload));
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException or SocketException)
        {
            _frames.Writer.TryComplete();
        }
    }
}
