using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Google.Rpc.Status;

namespace IWouldArgue.Contracts;

/// <summary>
/// Failures in the shape protos/iwouldargue/v1/common.proto promises integrators: a gRPC status with a sentence,
/// and google.rpc's standard details in the <c>grpc-status-details-bin</c> trailer (a <c>google.rpc.Status</c>), so
/// generic tooling reads them: always an <see cref="ErrorInfo"/> (a stable reason in our <see cref="Domain"/>), plus
/// <see cref="BadRequest"/> field violations for INVALID_ARGUMENT and <see cref="RetryInfo"/> when waiting helps.
/// </summary>
public static class RpcErrors
{
    /// <summary>The trailer that carries the <c>google.rpc.Status</c>.</summary>
    public const string DetailsTrailer = "grpc-status-details-bin";

    /// <summary>The <see cref="ErrorInfo.Domain"/> of every reason we give.</summary>
    public const string Domain = "iwouldargue.v1";

    /// <summary>A refusal with a status and a sentence for the person behind the caller; the reason defaults to the code's name.</summary>
    public static RpcException Of(StatusCode code, string message, string? reason = null) => Create(code, message, reason);

    /// <summary>INVALID_ARGUMENT naming the field (its path in the request, e.g. <c>text</c>) and what is wrong with it.</summary>
    public static RpcException InvalidArgument(string field, string description) =>
        Create(StatusCode.InvalidArgument, $"{field}: {description}", "INVALID_FIELD",
            new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = description } } });

    /// <summary>RESOURCE_EXHAUSTED with the delay after which retrying may succeed.</summary>
    public static RpcException ResourceExhausted(string message, TimeSpan retryAfter, string reason = "RATE_LIMITED") =>
        Create(StatusCode.ResourceExhausted, message, reason, new RetryInfo { RetryDelay = Duration.FromTimeSpan(retryAfter) });

    /// <summary>A status with a stable reason, e.g. FAILED_PRECONDITION with "DISCUSSION_ENDED".</summary>
    public static RpcException WithReason(StatusCode code, string message, string reason) => Create(code, message, reason);

    /// <summary>The details of a failed call, or null when it carried none.</summary>
    public static Status? DetailsOf(RpcException exception) => exception?.GetRpcStatus();

    /// <summary>The <see cref="ErrorInfo.Reason"/> of a failed call, or null when it gave none.</summary>
    public static string? ReasonOf(RpcException exception) => DetailsOf(exception)?.GetDetail<ErrorInfo>()?.Reason;

    /// <summary>The reason a status gets when the code says it all: its name, e.g. "NOT_FOUND".</summary>
    public static string DefaultReason(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument => "INVALID_ARGUMENT",
        StatusCode.Unauthenticated => "UNAUTHENTICATED",
        StatusCode.PermissionDenied => "PERMISSION_DENIED",
        StatusCode.NotFound => "NOT_FOUND",
        StatusCode.FailedPrecondition => "FAILED_PRECONDITION",
        StatusCode.AlreadyExists => "ALREADY_EXISTS",
        StatusCode.ResourceExhausted => "RESOURCE_EXHAUSTED",
        StatusCode.Unavailable => "UNAVAILABLE",
        StatusCode.Aborted => "ABORTED",
        StatusCode.DeadlineExceeded => "DEADLINE_EXCEEDED",
        StatusCode.OutOfRange => "OUT_OF_RANGE",
        StatusCode.Unimplemented => "UNIMPLEMENTED",
        StatusCode.Cancelled => "CANCELLED",
        _ => "INTERNAL",
    };

    /// <summary>
    /// The google.rpc.Status for a status and sentence: an <see cref="ErrorInfo"/> with <paramref name="reason"/> (or the
    /// code's name) and <paramref name="metadata"/>, then <paramref name="details"/>.
    /// </summary>
    public static Status StatusOf(StatusCode code, string message, string? reason, IReadOnlyDictionary<string, string>? metadata = null, params IMessage[] details)
    {
        var info = new ErrorInfo { Reason = reason ?? DefaultReason(code), Domain = Domain };
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            info.Metadata[key] = value;
        }
        var status = new Status { Code = (int)code, Message = message, Details = { Any.Pack(info) } };
        status.Details.Add(details.Select(Any.Pack));
        return status;
    }

    private static RpcException Create(StatusCode code, string message, string? reason, params IMessage[] details) =>
        StatusOf(code, message, reason, null, details).ToRpcException();

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
