using System.IO.Pipelines;
using Google.Protobuf;
using IWouldArgue.Rpc.Protocol;

namespace IWouldArgue.Rpc;

/// <summary>
/// Writes messages encoded earlier straight into a response stream's body, past the call's own bookkeeping:
/// the fan-out's path, where one message goes to thousands of streams and every object touched per stream
/// counts. Handed out by <see cref="IServerStreamWriter{T}.TryGetDirectWriter"/> only while that is safe
/// (see there); whoever holds one must stop writing before the service method returns, since the call
/// then ends and its body belongs to the server again.
/// </summary>
/// <typeparam name="T">The message type of the stream.</typeparam>
public readonly struct DirectMessageWriter<T>
    where T : IMessage<T>
{
    private readonly PipeWriter _body;
    private readonly int _maxMessageSize;

    internal DirectMessageWriter(PipeWriter body, int maxMessageSize)
    {
        _body = body;
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>
    /// Writes and flushes one message. True once the transport has it; false when the peer no longer reads
    /// the response (the stream was reset or the connection closed). Usually completes at once; only one
    /// write may be in progress at a time.
    /// </summary>
    /// <exception cref="RpcException">RESOURCE_EXHAUSTED: the message is larger than the call may send.</exception>
    public ValueTask<bool> WriteAsync(EncodedMessage<T> message, CancellationToken cancellationToken = default)
    {
        var frame = message.Frame;
        if (frame.Length - MessageFraming.HeaderSize > _maxMessageSize)
        {
            throw new RpcException(
                StatusCode.ResourceExhausted,
                $"Sending message exceeds the maximum configured message size ({frame.Length - MessageFraming.HeaderSize} > {_maxMessageSize}).");
        }
        var flush = _body.WriteAsync(frame, cancellationToken);
        return flush.IsCompletedSuccessfully ? new ValueTask<bool>(!flush.Result.IsCompleted) : AfterFlushAsync(flush);
    }

    private static async ValueTask<bool> AfterFlushAsync(ValueTask<FlushResult> flush)
    {
        var result = await flush;
        return !result.IsCompleted && !result.IsCanceled;
    }
}
