using IWouldArgue.Discussions.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Gateway.Edge;

/// <summary>
/// Reads the Live routing table when the gateway starts, so that the first people to open a room are routed from
/// memory and never wait on the state store (see <see cref="LiveRoutes"/>). Retries once a second until the store
/// answers; until then a Watch reads the table itself.
/// </summary>
internal sealed partial class LiveRoutesWarmUp(LiveRoutes routes, ILogger<LiveRoutesWarmUp> logger) : BackgroundService
{
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await routes.LoadAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                if (attempt == 1 || attempt % 60 == 0)
                {
                    LogNotYet(logger, attempt, e.Message);
                }
                await Task.Delay(RetryAfter, stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Live routing table could not be read yet (attempt {Attempt}): {Cause}; retrying every second")]
    private static partial void LogNotYet(ILogger logger, int attempt, string cause);
}
