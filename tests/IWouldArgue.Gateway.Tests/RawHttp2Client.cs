using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using System.Threading.Channels;
using Google.Protobuf;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// A frame-level HTTP/2 client (RFC 9113) for abuse tests: it sends exactly the frames a test asks for, wrong
/// ones included, encodes header fields as HPACK literals (RFC 7541 6.2), and hands every frame the server
/// sends to the test in order.
/// </summary>
internal sealed class RawHttp2Client : IAsyncDisposable
{
    public const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, GoAway = 0x7, WindowUpdate = 0x8, Continuation = 0x9;
    public const byte EndStream = 0x1, EndHeaders = 0x4;
    public const ushort SettingsInitialWindowSize = 0x4;

    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly Channel<Frame> _frames = Channel.CreateUnbounded<Frame>();
    private readonly Task _reading;
    private volatile bool _resetSeen;

    private RawHttp2Client(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reading = ReadLoopAsync();
    }

    public sealed record Frame(byte Type, byte Flags, int StreamId, byte[] Payload)
    {
        public uint ErrorCode => BinaryPrimitives.ReadUInt32BigEndian(Type == GoAway ? Payload.AsSpan(4) : Payload);
    }

    /// <summary>True once the server closed the connection: every frame it sent before was read, or a write was refused with a reset.</summary>
    public bool Closed => _reading.IsCompleted || _resetSeen;

    /// <summary>Connects and sends the preface and a SETTINGS frame with these (id, value) pairs.</summary>
    public static async Task<RawHttp2Client> ConnectAsync(Uri address, params (ushort Id, uint Value)[] settings)
    {
        var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(address.Host, address.Port);
        var client = new RawHttp2Client(tcp);
        await client.SendRawAsync(Preface);
        var payload = new byte[6 * settings.Length];
        for (var i = 0; i < settings.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6 * i), settings[i].Id);
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(6 * i + 2), settings[i].Value);
        }
        await client.SendAsync(Settings, 0, 0, payload);
        return client;
    }

    public async Task SendRawAsync(byte[] bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
        }
        catch (IOException e) when (Closed || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.Shutdown })
        {
            // The server closed the connection (what the abuse tests wait for), perhaps before the read loop saw it.
            _resetSeen = true;
        }
    }

    public Task SendAsync(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(5), streamId);
        payload.CopyTo(frame, 9);
        return SendRawAsync(frame);
    }

    /// <summary>Opens a gRPC call on <paramref name="streamId"/>: headers, then the message, ending the request.</summary>
    public async Task StartCallAsync(int streamId, string path, IMessage request, params (string Name, string Value)[] extraHeaders)
    {
        await SendAsync(Headers, EndHeaders, streamId, RequestBlock(path, extraHeaders));
        var message = request.ToByteArray();
        var framed = new byte[5 + message.Length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1), (uint)message.Length);
        message.CopyTo(framed, 5);
        await SendAsync(Data, EndStream, streamId, framed);
    }

    /// <summary>A gRPC request's header block, each field a literal without indexing.</summary>
    public static byte[] RequestBlock(string path, params (string Name, string Value)[] extraHeaders)
    {
        var block = new MemoryStream();
        foreach (var (name, value) in new[] { (":method", "POST"), (":scheme", "http"), (":path", path), (":authority", "localhost"), ("content-type", "application/grpc"), ("te", "trailers") }.Concat(extraHeaders))
        {
            block.WriteByte(0x00);
            WriteString(block, name);
            WriteString(block, value);
        }
        return block.ToArray();
    }

    /// <summary>A literal field with incremental indexing (RFC 7541 6.2.1): the server adds it to its dynamic table.</summary>
    public static byte[] IndexedLiteral(string name, string value)
    {
        var block = new MemoryStream();
        block.WriteByte(0x40);
        WriteString(block, name);
        WriteString(block, value);
        return block.ToArray();
    }

    /// <summary>A reference to the first entry of the dynamic table (index 62, RFC 7541 2.3.3), one or two bytes.</summary>
    public static byte[] FirstDynamicEntry() => Integer(62, 7, 0x80);

    public static byte[] WindowIncrement(int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
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

    public async ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        await _reading;
    }

    private static void WriteString(Stream block, string text)
    {
        var bytes = Encoding.Latin1.GetBytes(text);
        block.Write(Integer(bytes.Length, 7, 0x00));
        block.Write(bytes);
    }

    // RFC 7541 5.1: an integer with an N-bit prefix, the rest of the first byte taken by flags.
    private static byte[] Integer(int value, int prefixBits, byte flags)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            return [(byte)(flags | value)];
        }
        var bytes = new List<byte> { (byte)(flags | max) };
        for (value -= max; value >= 128; value >>= 7)
        {
            bytes.Add((byte)(value % 128 + 128));
        }
        bytes.Add((byte)value);
        return [.. bytes];
    }

    private async Task ReadLoopAsync()
    {
        var header = new byte[9];
        try
        {
            while (true)
            {
                await _stream.ReadExactlyAsync(header);
                var length = (header[0] << 16) | (header[1] << 8) | header[2];
                var payload = new byte[length];
                await _stream.ReadExactlyAsync(payload);
                await _frames.Writer.WriteAsync(new Frame(header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7FFFFFFF, payload));
            }
        }
        catch (Exception ex) when (ex is IOException or EndOfStreamException or ObjectDisposedException or SocketException)
        {
            _frames.Writer.TryComplete();
        }
    }
}
