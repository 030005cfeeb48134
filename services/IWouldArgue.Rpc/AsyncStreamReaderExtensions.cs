using System.Runtime.CompilerServices;

namespace IWouldArgue.Rpc;

/// <summary>Lets a stream reader be consumed with <c>await foreach</c>.</summary>
public static class AsyncStreamReaderExtensions
{
    /// <summary>Reads every remaining message of the stream.</summary>
    public static async IAsyncEnumerable<T> ReadAllAsync<T>(
        this IAsyncStreamReader<T> reader,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        while (await reader.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            yield return reader.Current;
        }
    }
}
