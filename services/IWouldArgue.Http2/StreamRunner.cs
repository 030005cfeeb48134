using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Http2;

/// <summary>Runs a stream's request through the application, as a server does: create, process, end the response, dispose.</summary>
internal static class StreamRunner
{
    public static Func<Http2Stream, Task> For<TContext>(IHttpApplication<TContext> application, ILogger logger)
        where TContext : notnull =>
        async stream =>
        {
            var context = application.CreateContext(stream.Features);
            Exception? failure = null;
            try
            {
                await application.ProcessRequestAsync(context);
            }
            catch (Exception ex)
            {
                failure = ex;
                Http2Log.ApplicationFailed(logger, stream.Connection.Id, stream.Id, ex);
                if (!stream.HasStarted)
                {
                    stream.StatusCode = StatusCodes.Status500InternalServerError;
                    stream.ResponseHeaders.Clear();
                    stream.ResponseTrailers.Clear();
                }
                else
                {
                    stream.Connection.ResetStream(stream, Http2ErrorCode.InternalError);
                }
            }
            try
            {
                await stream.EndResponseAsync();
                await stream.FireOnCompletedAsync();
            }
            catch (Exception ex)
            {
                failure ??= ex;
                Http2Log.ApplicationFailed(logger, stream.Connection.Id, stream.Id, ex);
            }
            finally
            {
                application.DisposeContext(context, failure);
                stream.Release();
            }
        };
}
