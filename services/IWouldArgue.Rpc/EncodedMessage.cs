using Google.Protobuf;
using IWouldArgue.Rpc.Protocol;

namespace IWouldArgue.Rpc;

/// <summary>
/// A message serialized once, with its gRPC frame header, to be written to many response streams:
/// fanning one message out to a thousand streams then costs a thousand copies, not a thousand encodings.
/// </summary>
/// <typeparam name="T">The message type, so that only a stream of that type can carry it.</typeparam>
public sealed class EncodedMessage<T>
    where T : IMessage<T>
{
    /// <summary>Encodes <paramref name="message"/>. Streams still enforce their own maximum message size.</summary>
    public EncodedMessage(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        Frame = MessageFraming.ToArray(message, int.MaxValue);
    }

    /// <summary>The framed bytes (5-byte header, then the message) as they go on the wire.</summary>
    internal byte[] Frame { get; }
}
