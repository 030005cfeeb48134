using System.IO.Pipelines;
using Google.Protobuf;

namespace IWouldArgue.Rpc.Protocol;

/// <summary>Reads framed messages from a body, one at a time, enforcing the size limit and the framing rules.</summary>
internal sealed class FrameReader(PipeReader reader, int maxMessageSize)
{
    /// <summary>Reads the next message, or returns null at a clean end of the body.</summary>
    public async ValueTask<T?> ReadMessageAsync<T>(MessageParser<T> parser, CancellationToken cancellationToken)
        where T : class, IMessage<T>
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (MessageFraming.TryReadFrame(ref buffer, maxMessageSize, out var frame))
            {
                try
                {
                    return Parse(parser, frame);
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start);
                }
            }
            if (result.IsCompleted)
            {
                var leftover = buffer.Length;
                reader.AdvanceTo(buffer.End);
                return leftover == 0
                    ? null
                    : throw new RpcException(StatusCode.Internal, "Incomplete message: the body ended inside a frame.");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static T Parse<T>(MessageParser<T> parser, Frame frame)
        where T : class, IMessage<T>
    {
        if (frame.IsTrailers)
        {
            throw new RpcException(StatusCode.Internal, "Unexpected trailers frame in a message stream.");
        }
        if (frame.IsCompressed)
        {
            // We announce only identity encoding, so a compressed frame is a protocol error.
            throw new RpcException(StatusCode.Internal, "Received a compressed message but no grpc-encoding was negotiated.");
        }
        try
        {
            return parser.ParseFrom(frame.Payload);
        }
        catch (InvalidProtocolBufferException)
        {
            throw new RpcException(StatusCode.Internal, $"Failed to deserialize a {typeof(T).Name} message.");
        }
    }
}
