using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions.Events;

/// <summary>
/// Ends live discussions that reached their maximum duration. It keeps no timers: each pass asks the
/// store which discussions are overdue, so a restart (or a crash) loses nothing, and a discussion that
/// came due while the process was down ends at the first pass after start-up.
/// </summary>
public sealed partial class AutoEndJob(IDiscussionStore store, EventAppender log, IOptions<DiscussionOptions> options, TimeProvider clock, ILogger<AutoEndJob> logger)
    : BackgroundService
{
    /// <summary>Ends every overdue discussion once; returns how many.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var ended = 0;
        foreach (var id in await store.ListOverdueAsync(clock.GetUtcNow(), cancellationToken))
        {
            // Re-read: the host may have ended it meanwhile, and an event must not be appended twice.
            if ((await store.GetDiscussionAsync(id, cancellationToken))?.State != DiscussionState.Live)
            {
                continue;
            }
            try
            {
                await log.AppendAsync(new DiscussionEvent
                {
                    DiscussionId = id,
                    DiscussionEnded = new DiscussionEnded { EndedAt = Timestamp.FromDateTimeOffset(clock.GetUtcNow()), Reason = EndReason.MaxDuration },
                }, cancellationToken);
            }
            catch (RuleBrokenException)
            {
                // Ended between the read and the append (by the host, or by this job in another instance).
                continue;
            }
            Log.Ended(logger, id);
            ended++;
        }
        return ended;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.AutoEndInterval, clock);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.Failed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Discussion {DiscussionId} reached its maximum duration and ended")]
        public static partial void Ended(ILogger logger, string discussionId);

        [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "The auto-end pass failed; it runs again at the next interval")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
