using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// A minimal HTTP/2 (h2c, prior knowledge) client that opens many Watch streams on one connection and
/// reads frames in one loop, scanning DATA payloads for comment texts. The load generator must absorb
/// hundreds of thousands of small frames a second on one core; a general client spends a task wake-up
/// per frame per stream and becomes the bottleneck (measured: HttpClient needed 0.85 core for 100K/s).
/// It advertises huge windows and frames, so the server is never held back by flow control, answers
/// SETTINGS and PING, and counts streams that end (a resync, the discussion ending) without reopening them.
/// </summary>
internal sealed class H2WatchConnection : IAsyncDisposable
{
    private const byte Data = 0x0, Headers = 0x1, RstStream = 0x3, Settings = 0x4, Ping = 0x6, GoAway = 0x7;
    private const byte EndStream = 0x1, EndHeaders = 0x4, Padded = 0x8, Ack = 0x1;
    private const int MaxWindow = int.MaxValue;
    private const int MaxFrame = (1 << 24) - 1;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly DeliveryRecorder _run;
    private readonly HashSet<int> _started = [];
    private int _nextStreamId = 1;
    private long _unacknowledged;

    private H2WatchConnection(Socket socket, DeliveryRecorder run)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _run = run;
    }

    public static async Task<H2WatchConnection> OpenAsync(string host, int port, DeliveryRecorder run)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(host, port);
        var connection = new H2WatchConnection(socket, run);
        var hello = new List<byte>("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray());
        // SETTINGS: INITIAL_WINDOW_SIZE (0x4) and MAX_FRAME_SIZE (0x5) as large as allowed.
        var settings = new byte[12];
        BinaryPrimitives.WriteUInt16BigEndian(settings, 0x4);
        BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(2), MaxWindow);
        BinaryPrimitives.WriteUInt16BigEndian(settings.AsSpan(6), 0x5);
        BinaryPrimitives.WriteUInt32BigEndian(settings.AsSpan(8), MaxFrame);
        hello.AddRange(Frame(Settings, 0, 0, settings));
        hello.AddRange(WindowUpdate(0, MaxWindow - 65_535));
        await connection.SendAsync([.. hello]);
        _ = Task.Run(connection.ReadLoopAsync);
        return connection;
    }

    /// <summary>Opens one Watch stream: HEADERS (literal, not indexed) then the request message with END_STREAM.</summary>
    public async Task WatchAsync(string authority, string user, byte[] grpcRequest)
    {
        var headers = new List<byte>();
        foreach (var (name, value) in new[]
        {
            (":method", "POST"), (":scheme", "http"), (":path", "/iwouldargue.v1.LiveService/Watch"), (":authority", authority),
            ("content-type", "application/grpc"), ("te", "trailers"), ("iwouldargue-user-id", user),
        })
        {
            headers.Add(0x00);
            AddString(headers, name);
            AddString(headers, value);
        }
        int id;
        lock (_started)
        {
            id = _nextStreamId;
            _nextStreamId += 2;
        }
        await SendAsync([.. Frame(Headers, EndHeaders, id, [.. headers]), .. Frame(Data, EndStream, id, grpcRequest)]);
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[1 << 20];
        var filled = 0;
        try
        {
            while (true)
            {
                var read = await _stream.ReadAsync(buffer.AsMemory(filled));
                if (read == 0)
                {
                    return;
                }
                filled += read;
                var offset = 0;
                while (filled - offset >= 9)
                {
                    var length = (buffer[offset] << 16) | (buffer[offset + 1] << 8) | buffer[offset + 2];
                    if (filled - offset < 9 + length)
                    {
                        break;
                    }
                    await OnFrameAsync(buffer[offset + 3], buffer[offset + 4], (int)(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(offset + 5)) & 0x7FFF_FFFF), buffer.AsMemory(offset + 9, length));
                    offset += 9 + length;
                }
                Buffer.BlockCopy(buffer, offset, buffer, 0, filled - offset);
                filled -= offset;
                if (filled == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }
            }
        }
        catch (IOException)
        {
            // Closed at the end of the run.
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async ValueTask OnFrameAsync(byte type, byte flags, int streamId, Memory<byte> payload)
    {
        switch (type)
        {
            case Data:
                if ((flags & Padded) != 0)
                {
                    payload = payload[1..^payload.Span[0]];
                }
                if (_started.Add(streamId))
                {
                    _run.StreamStarted();
                }
                _run.Delivered(payload.Span);
                _unacknowledged += payload.Length;
                if (_unacknowledged > 256 << 20)
                {
                    await SendAsync(WindowUpdate(0, (int)_unacknowledged));
                    _unacknowledged = 0;
                }
                if ((flags & EndStream) != 0)
                {
                    _run.Resynced();
                }
                break;
            case Headers when (flags & EndStream) != 0:
            case RstStream:
                _run.Resynced();
                break;
            case Settings when (flags & Ack) == 0:
                await SendAsync(Frame(Settings, Ack, 0, []));
                break;
            case Ping when (flags & Ack) == 0:
                await SendAsync(Frame(Ping, Ack, 0, payload.ToArray()));
                break;
            case GoAway:
                _socket.Shutdown(SocketShutdown.Both);
                break;
        }
    }

    private async Task SendAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static byte[] Frame(byte type, byte flags, int streamId, byte[] payload)
    {
        var frame = new byte[9 + payload.Length];
        frame[0] = (byte)(payload.Length >> 16);
        frame[1] = (byte)(payload.Length >> 8);
        frame[2] = (byte)payload.Length;
        frame[3] = type;
        frame[4] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(5), (uint)streamId);
        payload.CopyTo(frame, 9);
        return frame;
    }

    private static byte[] WindowUpdate(int streamId, int increment)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)increment);
        return Frame(0x8, 0, streamId, payload);
    }

    // An HPACK string literal without Huffman coding: a 7-bit-prefix length, then the bytes.
    private static void AddString(List<byte> target, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        var length = bytes.Length;
        if (length < 127)
        {
            target.Add((byte)length);
        }
        else
        {
            target.Add(127);
            for (length -= 127; length >= 128; length >>= 7)
            {
                target.Add((byte)((length & 0x7F) | 0x80));
            }
            target.Add((byte)length);
        }
        target.AddRange(bytes);
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _writeLock.Dispose();
    }
}
