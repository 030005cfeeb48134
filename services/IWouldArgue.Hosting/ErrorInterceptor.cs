using System.Diagnostics;
using Grpc.Core;
using IWouldArgue.Contracts;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Hosting;

/// <summary>
/// The one place where a service's failure becomes what the caller sees. A refusal the service meant
/// (<see cref="RpcException"/>) goes out as it is and is logged at Debug; a domain rule the store refused a change by
/// (<see cref="RuleBrokenException"/>) becomes its status with its reason; a full disk is RESOURCE_EXHAUSTED
/// (STORAGE_FULL) with a sentence; a failure nobody foresaw is logged
/// with its exception and a reference, and the caller gets INTERNAL with a sentence and that reference
/// instead of grpc-dotnet's "Exception was thrown by handler.". A call the caller cancelled is no failure.
/// </summary>
internal sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Explain(e, context) is { } explained)
        {
            throw explained;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(requestStream, context);
        }
        catch (Exception e) when (Explain(e, context) is { } explained)
        {
            throw explained;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(request, responseStream, context);
        }
        catch (Exception e) when (Explain(e, context) is { } explained)
        {
            throw explained;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Explain(e, context) is { } explained)
        {
            throw explained;
        }
    }

    // Null: let the exception go as it is (a refusal, or a call that was cancelled).
    private RpcException? Explain(Exception e, ServerCallContext context)
    {
        if (e is RpcException refusal)
        {
            LogRefused(logger, context.Method, refusal.StatusCode, refusal.Status.Detail);
            return null;
        }
        if (e is RuleBrokenException rule)
        {
            var code = rule.Kind switch
            {
                RuleKind.NotAllowed => StatusCode.PermissionDenied,
                RuleKind.Gone => StatusCode.NotFound,
                _ => StatusCode.FailedPrecondition,
            };
            LogRefused(logger, context.Method, code, rule.Message);
            return RpcErrors.WithReason(code, rule.Message, rule.Reason);
        }
        if (e is OperationCanceledException or IOException && context.CancellationToken.IsCancellationRequested)
        {
            return null;
        }
        if (e is BuildingBlocks.BuildingBlockUnavailableException unavailable)
        {
            LogUnavailable(logger, context.Method, unavailable.Block, unavailable.InnerException?.Message);
            return RpcErrors.Of(StatusCode.Unavailable, $"The service cannot reach its {unavailable.Block} right now; try again shortly.");
        }
        if (StorageFull.Caused(e))
        {
            LogStorageFull(logger, context.Method);
            return RpcErrors.ResourceExhausted(
                "The service's storage is full, so nothing was saved; reading still works. Try again in a while.", TimeSpan.FromSeconds(30), "STORAGE_FULL");
        }
        var reference = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
        LogFailed(logger, context.Method, reference, e);
        return RpcErrors.StatusOf(StatusCode.Internal, $"Something went wrong on our side (reference {reference}); try again shortly.", "INTERNAL",
            new Dictionary<string, string> { ["reference"] = reference }).ToRpcException();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Method} refused: {Code} {Detail}")]
    private static partial void LogRefused(ILogger logger, string method, StatusCode code, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} answered UNAVAILABLE: the {Block} cannot be reached ({Cause})")]
    private static partial void LogUnavailable(ILogger logger, string method, string block, string? cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} refused: the storage is full (free disk space; writes resume by themselves)")]
    private static partial void LogStorageFull(ILogger logger, string method);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} failed unexpectedly (reference {Reference}); the caller got INTERNAL")]
    private static partial void LogFailed(ILogger logger, string method, string reference, Exception exception);
}
