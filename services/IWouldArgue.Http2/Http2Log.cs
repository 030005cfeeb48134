using Microsoft.Extensions.Logging;

namespace IWouldArgue.Http2;

internal static partial class Http2Log
{
    [LoggerMessage(1, LogLevel.Information, "HTTP/2 server listening on {Url} (cleartext, prior knowledge)")]
    public static partial void Listening(ILogger logger, string url);

    [LoggerMessage(2, LogLevel.Debug, "Connection {ConnectionId} closed with {Code}: {Reason}")]
    public static partial void ConnectionError(ILogger logger, string connectionId, Http2ErrorCode code, string reason);

    [LoggerMessage(3, LogLevel.Debug, "Connection {ConnectionId}: stream {StreamId} refused: {Reason}")]
    public static partial void StreamRefused(ILogger logger, string connectionId, int streamId, string reason);

    [LoggerMessage(5, LogLevel.Debug, "Connection {ConnectionId} closed: {Reason}")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, string reason);

    [LoggerMessage(4, LogLevel.Error, "Connection {ConnectionId}: the application failed on stream {StreamId}")]
    public static partial void ApplicationFailed(ILogger logger, string connectionId, int streamId, Exception exception);
}
