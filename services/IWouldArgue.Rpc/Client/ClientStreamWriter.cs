using Google.Protobuf;

namespace IWouldArgue.Rpc;

/// <summary>Writes a call's request messages, each framed and flushed as it is written.</summary>
internal sealed class ClientStreamWriter<T>(PushStreamContent content, int maxMessageSize, Func<Exception, Exception> failWrite, CancellationToken callToken)
    : IClientStreamWriter<T>
    where T : class, IMessage<T>
{
    private bool _completed;

    public async Task WriteAsync(T message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed)
        {
            throw new InvalidOperationException("The request stream is already complete.");
        }
        var frame = Protocol.MessageFraming.ToArray(message, maxMessageSize);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, callToken);
        try
        {
            var stream = await content.GetStreamAsync(linked.Token);
            await stream.WriteAsync(frame, linked.Token);
            await stream.FlushAsync(linked.Token);
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw failWrite(ex);
        }
    }

    public Task CompleteAsync()
    {
        _completed = true;
        content.Complete();
        return Task.CompletedTask;
    }

    internal void Abandon() => content.Abandon();
}
