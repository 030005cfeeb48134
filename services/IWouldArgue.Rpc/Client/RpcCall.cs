namespace IWouldArgue.Rpc;

/// <summary>What every client call offers: response headers, and the status and trailers once it has finished.</summary>
public abstract class RpcCall : IDisposable
{
    private readonly IClientCallState _call;

    private protected RpcCall(IClientCallState call) => _call = call;

    /// <summary>The response headers, once they arrive.</summary>
    public Task<Metadata> ResponseHeadersAsync() => _call.ResponseHeadersAsync();

    /// <summary>The status, once the call has finished (its response read to the end).</summary>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>The trailers, once the call has finished (its response read to the end).</summary>
    public Metadata GetTrailers() => _call.GetTrailers();

    /// <summary>Cancels the call if it is still running; the server sees it cancelled.</summary>
    public void Dispose()
    {
        _call.Dispose();
        GC.SuppressFinalize(this);
    }
}
