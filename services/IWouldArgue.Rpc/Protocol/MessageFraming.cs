using System.Buffers;
using System.Buffers.Binary;
using Google.Protobuf;

namespace IWouldArgue.Rpc.Protocol;

/// <summary>
/// The length-prefixed message framing of gRPC: a flags byte (bit 0: compressed; bit 7: gRPC-Web
/// trailers), a 4-byte big-endian length, then the message.
/// </summary>
internal static class MessageFraming
{
    public const int HeaderSize = 5;
    public const byte CompressedFlag = 0x01;
    public const byte TrailersFlag = 0x80;

    /// <summary>Writes one framed message; RESOURCE_EXHAUSTED when it is larger than <paramref name="maxSize"/>.</summary>
    public static void WriteMessage(IBufferWriter<byte> writer, IMessage message, int maxSize)
    {
        var size = message.CalculateSize();
        if (size > maxSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({size} > {maxSize}).");
        }
        var span = writer.GetSpan(HeaderSize + size);
        WriteHeader(span, 0, size);
        message.WriteTo(span.Slice(HeaderSize, size));
        writer.Advance(HeaderSize + size);
    }

    /// <summary>One framed message as an array, for bodies written whole.</summary>
    public static byte[] ToArray(IMessage message, int maxSize)
    {
        var writer = new ArrayBufferWriter<byte>(message.CalculateSize() + HeaderSize);
        WriteMessage(writer, message, maxSize);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>Writes a frame header for a payload of <paramref name="length"/> bytes.</summary>
    public static void WriteHeader(Span<byte> destination, byte flags, int length)
    {
        destination[0] = flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)length);
    }

    /// <summary>
    /// Takes one complete frame off the front of <paramref name="buffer"/>, if all of it has arrived.
    /// Throws RESOURCE_EXHAUSTED as soon as the header announces more than <paramref name="maxSize"/> bytes,
    /// before the payload is read.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxSize, out Frame frame)
    {
        frame = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > maxSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"Received message exceeds the maximum configured message size ({length} > {maxSize}).");
        }
        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }
        frame = new Frame(header[0], buffer.Slice(HeaderSize, length));
        buffer = buffer.Slice(HeaderSize + length);
        return true;
    }
}

/// <summary>One frame of a gRPC body.</summary>
internal readonly record struct Frame(byte Flags, ReadOnlySequence<byte> Payload)
{
    public bool IsCompressed => (Flags & MessageFraming.CompressedFlag) != 0;

    public bool IsTrailers => (Flags & MessageFraming.TrailersFlag) != 0;
}
