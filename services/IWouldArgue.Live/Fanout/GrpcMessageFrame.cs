using System.Buffers.Binary;
using Google.Protobuf;

namespace IWouldArgue.Live.Fanout;

/// <summary>
/// A message as gRPC puts it on a stream: a flag byte (0, not compressed), its length in four bytes, big-endian, then
/// its protobuf bytes ("Length-Prefixed-Message" in gRPC's PROTOCOL-HTTP2). Made once for a frame many watchers get
/// (see <see cref="Watcher"/>).
/// </summary>
internal static class GrpcMessageFrame
{
    private const int PrefixLength = 5;

    public static byte[] Of(IMessage message)
    {
        var length = message.CalculateSize();
        var framed = new byte[PrefixLength + length];
        BinaryPrimitives.WriteUInt32BigEndian(framed.AsSpan(1, 4), (uint)length);
        message.WriteTo(framed.AsSpan(PrefixLength));
        return framed;
    }
}
