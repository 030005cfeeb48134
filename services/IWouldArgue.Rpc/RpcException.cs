namespace IWouldArgue.Rpc;

/// <summary>
/// A call that ended with a status other than OK. Thrown by clients; thrown by service code to end a
/// call with that status and, optionally, trailers (for example <c>grpc-status-details-bin</c>).
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception for a status, with optional trailers.</summary>
    public RpcException(Status status, Metadata? trailers = null)
        : base(status.ToString())
    {
        Status = status;
        Trailers = trailers ?? new Metadata();
    }

    /// <summary>Creates an exception for a code and a message.</summary>
    public RpcException(StatusCode code, string detail, Metadata? trailers = null)
        : this(new Status(code, detail), trailers)
    {
    }

    /// <summary>The status of the call.</summary>
    public Status Status { get; }

    /// <summary>The status code of the call.</summary>
    public StatusCode StatusCode => Status.Code;

    /// <summary>Trailers sent, or received, with the status.</summary>
    public Metadata Trailers { get; }
}
