using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Media;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Archive;

/// <summary>
/// Removes discussions whose retention has passed — their events, comments, people, files (records and
/// bytes no other discussion shares) and recording (record and file) — every <see cref="ArchiveOptions.PurgeInterval"/>.
/// It works from what the store says has ended, so a restart loses nothing: what is due is found again.
/// </summary>
public sealed partial class PurgeJob(IDiscussionStore store, BlobCollector blobs, RecordingFiles recordings, IOptions<ArchiveOptions> options, TimeProvider clock, ILogger<PurgeJob> logger) : BackgroundService
{
    /// <summary>Purges everything due now; returns how many discussions went.</summary>
    public async Task<int> PurgeDueAsync(CancellationToken cancellationToken)
    {
        var purged = 0;
        while (true)
        {
            var due = await store.ListEndedBeforeAsync(clock.GetUtcNow() - options.Value.Retention, 100, cancellationToken);
            foreach (var id in due)
            {
                // The recording's file goes first: if that fails, the discussion is still due and is tried again.
                if ((await store.GetRecordingAsync(id, cancellationToken)).File is { } recording)
                {
                    await recordings.DeleteAsync(recording, cancellationToken);
                }
                foreach (var sha in await store.PurgeAsync(id, cancellationToken))
                {
                    await blobs.DeleteIfUnusedAsync(sha, cancellationToken); // a crash before this leaves them to the sweep
                }
                LogPurged(logger, id);
                purged++;
            }
            if (due.Count < 100)
            {
                return purged;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PurgeInterval, clock);
        do
        {
            try
            {
                await PurgeDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discussion {DiscussionId} passed its retention and was purged")]
    private static partial void LogPurged(ILogger logger, string discussionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The purge failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
