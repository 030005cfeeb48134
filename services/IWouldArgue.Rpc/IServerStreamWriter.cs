using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>Writes the messages of a server's response stream; each is sent to the peer as it is written.</summary>
public interface IServerStreamWriter<T>
    where T : IMessage<T>
{
    /// <summary>Writes one message and flushes it. Only one write may be in progress at a time.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>Writes a message encoded earlier (see <see cref="EncodedMessage{T}"/>) and flushes it.</summary>
    Task WriteAsync(EncodedMessage<T> message, CancellationToken cancellationToken = default);
}
