using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Contracts;

/// <summary>The answer of the plain-HTTP endpoints (uploads, downloads, exports) when they refuse: <c>{"error": "a sentence"}</c>.</summary>
public static partial class HttpErrors
{
    /// <summary>A refusal with this status and sentence.</summary>
    public static IResult Of(int status, string message) => Results.Json(new { error = message }, statusCode: status);

    /// <summary>A refusal saying what an RPC's status says, with its HTTP equivalent (<see cref="RpcErrors.HttpStatusOf"/>).</summary>
    public static IResult Of(RpcException refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return Of(RpcErrors.HttpStatusOf(refusal.StatusCode), refusal.Status.Detail);
    }

    /// <summary>
    /// An endpoint filter for the plain-HTTP routes: a failure nobody foresaw is logged with its exception
    /// and answered 500 with a sentence, instead of an empty body the browser can only show as "error".
    /// A caller that went away is not an error.
    /// </summary>
    public static async ValueTask<object?> ExplainUnexpectedAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (Exception e) when (!(e is OperationCanceledException && http.RequestAborted.IsCancellationRequested) && !http.Response.HasStarted)
        {
            var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpErrors));
            LogUnexpected(logger, http.Request.Method, http.Request.Path.Value ?? "", e);
            return Of(StatusCodes.Status500InternalServerError, "Something went wrong on our side; try again shortly.");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, string method, string path, Exception exception);
}
