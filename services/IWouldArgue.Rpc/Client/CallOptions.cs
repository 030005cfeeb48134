namespace IWouldArgue.Rpc;

/// <summary>Per-call settings: metadata to send, a deadline, and a token to cancel the call.</summary>
/// <param name="Headers">Metadata sent with the request.</param>
/// <param name="Deadline">When to give up, in UTC; the server is told with <c>grpc-timeout</c>. Null: no deadline.</param>
/// <param name="CancellationToken">Cancels the call; the server sees it cancelled too.</param>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default);
