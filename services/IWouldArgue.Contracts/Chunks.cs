using Google.Protobuf;
using Grpc.Core;

namespace IWouldArgue.Contracts;

/// <summary>Bytes sent as a server stream of chunk messages (downloads, exports).</summary>
public static class Chunks
{
    /// <summary>The size of every chunk but the last.</summary>
    public const int Size = 64 * 1024;

    /// <summary>Reads <paramref name="source"/> to its end and writes it as full chunks, each wrapped by <paramref name="message"/>.</summary>
    public static async Task WriteChunksAsync<T>(this IServerStreamWriter<T> writer, Stream source, Func<ByteString, T> message, CancellationToken cancellationToken)
        where T : IMessage<T>
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(message);
        var buffer = new byte[Size];
        int read;
        while ((read = await source.ReadAtLeastAsync(buffer, Size, throwOnEndOfStream: false, cancellationToken)) > 0)
        {
            await writer.WriteAsync(message(ByteString.CopyFrom(buffer, 0, read)), cancellationToken);
        }
    }
}
