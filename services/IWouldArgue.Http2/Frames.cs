using System.Buffers.Binary;

namespace IWouldArgue.Http2;

/// <summary>Frame types of RFC 9113, section 6.</summary>
internal enum FrameType : byte
{
    Data = 0x0,
    Headers = 0x1,
    Priority = 0x2,
    RstStream = 0x3,
    Settings = 0x4,
    PushPromise = 0x5,
    Ping = 0x6,
    GoAway = 0x7,
    WindowUpdate = 0x8,
    Continuation = 0x9,
}

/// <summary>Error codes of RFC 9113, section 7.</summary>
internal enum Http2ErrorCode : uint
{
    NoError = 0x0,
    ProtocolError = 0x1,
    InternalError = 0x2,
    FlowControlError = 0x3,
    SettingsTimeout = 0x4,
    StreamClosed = 0x5,
    FrameSizeError = 0x6,
    RefusedStream = 0x7,
    Cancel = 0x8,
    CompressionError = 0x9,
    ConnectError = 0xa,
    EnhanceYourCalm = 0xb,
    InadequateSecurity = 0xc,
    Http11Required = 0xd,
}

/// <summary>Frame flags, settings and the 9-byte frame header.</summary>
internal static class Frames
{
    public const int HeaderSize = 9;
    public const int DefaultMaxFrameSize = 16_384;
    public const int MaxAllowedFrameSize = 16_777_215;
    public const int DefaultWindowSize = 65_535;
    public const int MaxWindowSize = int.MaxValue;

    public const byte EndStream = 0x1;
    public const byte Ack = 0x1;
    public const byte EndHeaders = 0x4;
    public const byte Padded = 0x8;
    public const byte PriorityFlag = 0x20;

    public const ushort SettingsHeaderTableSize = 0x1;
    public const ushort SettingsEnablePush = 0x2;
    public const ushort SettingsMaxConcurrentStreams = 0x3;
    public const ushort SettingsInitialWindowSize = 0x4;
    public const ushort SettingsMaxFrameSize = 0x5;
    public const ushort SettingsMaxHeaderListSize = 0x6;

    public static ReadOnlySpan<byte> ClientPreface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;

    /// <summary>HTTP/1.1 connection headers, which HTTP/2 does not carry (RFC 9113, 8.2.2).</summary>
    public static readonly HashSet<string> ConnectionSpecificHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade",
    };

    public static void WriteHeader(Span<byte> destination, int length, FrameType type, byte flags, int streamId)
    {
        destination[0] = (byte)(length >> 16);
        destination[1] = (byte)(length >> 8);
        destination[2] = (byte)length;
        destination[3] = (byte)type;
        destination[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(destination[5..], streamId & int.MaxValue);
    }

    public static (int Length, FrameType Type, byte Flags, int StreamId) ReadHeader(ReadOnlySpan<byte> source) =>
        ((source[0] << 16) | (source[1] << 8) | source[2],
         (FrameType)source[3],
         source[4],
         BinaryPrimitives.ReadInt32BigEndian(source[5..]) & int.MaxValue);

    /// <summary>Appends a whole frame.</summary>
    public static void Write(ByteBuffer output, FrameType type, byte flags, int streamId, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(HeaderSize + payload.Length);
        WriteHeader(span, payload.Length, type, flags, streamId);
        payload.CopyTo(span[HeaderSize..]);
        output.Advance(HeaderSize + payload.Length);
    }

    public static void WriteRstStream(ByteBuffer output, int streamId, Http2ErrorCode code)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)code);
        Write(output, FrameType.RstStream, 0, streamId, payload);
    }

    public static void WriteWindowUpdate(ByteBuffer output, int streamId, int increment)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(payload, increment);
        Write(output, FrameType.WindowUpdate, 0, streamId, payload);
    }

    public static void WriteGoAway(ByteBuffer output, int lastStreamId, Http2ErrorCode code)
    {
        Span<byte> payload = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(payload, lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(payload[4..], (uint)code);
        Write(output, FrameType.GoAway, 0, 0, payload);
    }
}

/// <summary>A connection error (RFC 9113, 5.4.1): GOAWAY with this code, then the connection closes.</summary>
internal sealed class Http2ConnectionException(Http2ErrorCode code, string message) : Exception(message)
{
    public Http2ErrorCode Code { get; } = code;
}
