namespace IWouldArgue.Rpc;

/// <summary>The state of a client call that every call type exposes.</summary>
internal interface IClientCallState : IDisposable
{
    Task<Metadata> ResponseHeadersAsync();

    Status GetStatus();

    Metadata GetTrailers();
}

/// <summary>The response side of a client call, seen by the public call types without the request type.</summary>
internal interface IClientCall<TResponse> : IClientCallState
{
    Task<TResponse> ReadSingleAsync();

    Task<TResponse?> ReadNextAsync(CancellationToken cancellationToken);
}
