namespace IWouldArgue.Rpc;

/// <summary>The response side of a client call, seen by the public call types without the request type.</summary>
internal interface IClientCall<TResponse> : IDisposable
{
    Task<TResponse> ReadSingleAsync();

    Task<TResponse?> ReadNextAsync(CancellationToken cancellationToken);

    Task<Metadata> ResponseHeadersAsync();

    Status GetStatus();

    Metadata GetTrailers();
}
