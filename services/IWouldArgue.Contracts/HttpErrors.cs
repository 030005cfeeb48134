using IWouldArgue.Rpc;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Contracts;

/// <summary>The answer of the plain-HTTP endpoints (uploads, downloads, exports) when they refuse: <c>{"error": "a sentence"}</c>.</summary>
public static class HttpErrors
{
    /// <summary>A refusal with this status and sentence.</summary>
    public static IResult Of(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    /// <summary>A refusal saying what an RPC's status says, with its HTTP equivalent (<see cref="RpcErrors.HttpStatusOf"/>).</summary>
    public static IResult Of(RpcException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return Of(RpcErrors.HttpStatusOf(refusal.StatusCode), refusal.Status.Detail);
    }
}
