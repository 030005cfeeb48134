using Microsoft.Extensions.Logging;

namespace IWouldArgue.Rpc.Server;

/// <summary>The server's log messages.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unhandled exception in {Method}; the caller got INTERNAL")]
    public static partial void HandlerFailed(ILogger logger, string method, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Deadline exceeded for {Method}")]
    public static partial void DeadlineExceeded(ILogger logger, string method);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Status {Code} of {Method} was not delivered: the caller went away")]
    public static partial void StatusNotDelivered(ILogger logger, string method, StatusCode code, Exception exception);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Unimplemented call to {Path}")]
    public static partial void Unimplemented(ILogger logger, string path);
}
