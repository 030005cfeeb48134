using System.Collections.Concurrent;
using IWouldArgue.Contracts;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.Hosting;

/// <summary>
/// Logs each health check when its status changes, once, instead of the framework's line for every run of an
/// unhealthy check (every few seconds, for as long as voice is off). A required check going down is a warning;
/// an optional one (voice) is information.
/// </summary>
internal sealed partial class HealthTransitions(ILogger<HealthTransitions> logger) : IHealthCheckPublisher
{
    private readonly ConcurrentDictionary<string, HealthStatus> _last = new(StringComparer.Ordinal);

    public Task PublishAsync(HealthReport report, CancellationToken cancellationToken)
    {
        foreach (var (name, entry) in report.Entries)
        {
            var previous = _last.TryGetValue(name, out var last) ? last : (HealthStatus?)null;
            if (previous == entry.Status)
            {
                continue;
            }
            _last[name] = entry.Status;
            if (entry.Status == HealthStatus.Healthy)
            {
                if (previous is not null)
                {
                    LogRecovered(logger, name);
                }
            }
            else if (entry.Tags.Contains(ServiceHealth.Optional))
            {
                LogOptionalDown(logger, name, entry.Description ?? "");
            }
            else
            {
                LogDown(logger, name, entry.Status, entry.Description ?? entry.Exception?.Message ?? "");
            }
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Health check {Check} is {Status}: {Description}")]
    private static partial void LogDown(ILogger logger, string check, HealthStatus status, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Optional health check {Check} is not healthy: {Description}")]
    private static partial void LogOptionalDown(ILogger logger, string check, string description);

    [LoggerMessage(Level = LogLevel.Information, Message = "Health check {Check} is healthy again")]
    private static partial void LogRecovered(ILogger logger, string check);
}
