using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Contracts;

/// <summary>
/// Failures in the shape protos/iwouldargue/v1/common.proto promises integrators: a status with a
/// sentence, and machine-readable details in the <c>grpc-status-details-bin</c> trailer.
/// </summary>
public static class RpcErrors
{
    /// <summary>The trailer that carries an <see cref="ErrorStatus"/>.</summary>
    public const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>A refusal with a status and a sentence for the person behind the caller.</summary>
    public static RpcException Of(StatusCode code, string message) => new(new Status(code, message));

    /// <summary>INVALID_ARGUMENT naming the field and what is wrong with it.</summary>
    public static RpcException InvalidArgument(string field, string description) =>
        Create(StatusCode.InvalidArgument, $"{field}: {description}", new FieldViolation { Field = field, Description = description });

    /// <summary>RESOURCE_EXHAUSTED with the delay after which retrying may succeed.</summary>
    public static RpcException ResourceExhausted(string message, TimeSpan retryAfter) =>
        Create(StatusCode.ResourceExhausted, message, new RetryAfter { Delay = Duration.FromTimeSpan(retryAfter) });

    /// <summary>A status with a stable reason, e.g. FAILED_PRECONDITION with "DISCUSSION_ENDED".</summary>
    public static RpcException WithReason(StatusCode code, string message, string reason) =>
        Create(code, message, new ErrorReason { Reason = reason });

    /// <summary>Reads the details of a failed call, or null when it carried none.</summary>
    public static ErrorStatus? DetailsOf(RpcException exception) =>
        exception?.Trailers.GetValueBytes(DetailsTrailer) is { } bytes ? ErrorStatus.Parser.ParseFrom(bytes) : null;

    private static RpcException Create(StatusCode code, string message, IMessage detail)
    {
        var details = new ErrorStatus { Code = (int)code, Message = message, Details = { Any.Pack(detail) } };
        var trailers = new Metadata { { DetailsTrailer, details.ToByteArray() } };
        return new RpcException(new Status(code, message), trailers);
    }

    /// <summary>The HTTP status that says the same as a gRPC status, for the few plain-HTTP endpoints (uploads, downloads, exports).</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => 400,
        StatusCode.Unauthenticated => 401,
        StatusCode.PermissionDenied => 403,
        StatusCode.NotFound => 404,
        StatusCode.AlreadyExists or StatusCode.FailedPrecondition or StatusCode.Aborted => 409,
        StatusCode.ResourceExhausted => 429,
        StatusCode.Unavailable => 503,
        StatusCode.DeadlineExceeded => 504,
        _ => 500,
    };
}
