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

    /// <summary>
    /// A writer of encoded messages straight into the response body (see <see cref="DirectMessageWriter{T}"/>),
    /// when the call allows it: its headers are prepared, its wire format carries messages as they are encoded
    /// (gRPC, binary gRPC-Web; not gRPC-Web text), and it has no deadline whose expiry could end it while a write
    /// is in progress. False otherwise (and by default): write with <see cref="WriteAsync(EncodedMessage{T}, CancellationToken)"/>.
    /// </summary>
    bool TryGetDirectWriter(out DirectMessageWriter<T> writer)
    {
        writer = default;
        return false;
    }
}
