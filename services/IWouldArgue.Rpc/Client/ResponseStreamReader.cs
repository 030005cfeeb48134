namespace IWouldArgue.Rpc;

/// <summary>Reads a call's response messages as they arrive.</summary>
internal sealed class ResponseStreamReader<T>(IClientCall<T> call) : IAsyncStreamReader<T>
{
    public T Current { get; private set; } = default!;

    public async Task<bool> MoveNext(CancellationToken cancellationToken = default)
    {
        var next = await call.ReadNextAsync(cancellationToken);
        if (next is null)
        {
            return false;
        }
        Current = next;
        return true;
    }
}
