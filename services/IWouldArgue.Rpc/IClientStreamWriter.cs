namespace IWouldArgue.Rpc;

/// <summary>Writes the messages of a client's request stream.</summary>
public interface IClientStreamWriter<in T>
{
    /// <summary>Writes one message and flushes it. Only one write may be in progress at a time.</summary>
    Task WriteAsync(T message, CancellationToken cancellationToken = default);

    /// <summary>Ends the request stream (half-close); the server sees its end.</summary>
    Task CompleteAsync();
}
