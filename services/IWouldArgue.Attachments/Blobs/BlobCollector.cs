using IWouldArgue.Discussions.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Attachments.Blobs;

/// <summary>
/// Decides when stored bytes may go. Identical files are stored once, so a file's bytes may be deleted only
/// when no shared file refers to them any more — and not while an upload of the same bytes is between its
/// commit and its record. Within this process that is guaranteed by a lock per content hash (striped:
/// 256 locks by the hash's first byte) held by uploads from commit to record and by every deletion from
/// its check to its delete. Bytes left unreferenced anyway (a crash between commit and record, or between
/// a purge and its deletions, or another instance deleting while this one uploads) are found by a sweep
/// every <see cref="AttachmentOptions.SweepInterval"/>, which deletes only bytes written longer ago than
/// <see cref="AttachmentOptions.SweepGrace"/> (an upload of the same bytes refreshes their time).
/// </summary>
public sealed partial class BlobCollector(IBlobStore blobs, IDiscussionStore store, IOptions<AttachmentOptions> options, TimeProvider clock, ILogger<BlobCollector> logger)
    : BackgroundService
{
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 256).Select(_ => new SemaphoreSlim(1, 1))];

    /// <summary>Keeps the bytes with this hash from being deleted until the returned handle is disposed.</summary>
    public async Task<IDisposable> HoldAsync(string sha256, CancellationToken cancellationToken)
    {
        var stripe = StripeOf(sha256);
        await stripe.WaitAsync(cancellationToken);
        return new Release(stripe);
    }

    /// <summary>Deletes the bytes with this hash unless a shared file still refers to them; returns whether they went.</summary>
    public async Task<bool> DeleteIfUnusedAsync(string sha256, CancellationToken cancellationToken)
    {
        using (await HoldAsync(sha256, cancellationToken))
        {
            if (await store.IsContentSharedAsync(sha256, cancellationToken))
            {
                return false;
            }
            await blobs.DeleteAsync(sha256, cancellationToken);
            return true;
        }
    }

    /// <summary>Deletes every stored file no shared file refers to that was written before the grace period; returns how many went.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var deleted = 0;
        await foreach (var sha256 in blobs.ListWrittenBeforeAsync(clock.GetUtcNow() - options.Value.SweepGrace, cancellationToken))
        {
            if (await DeleteIfUnusedAsync(sha256, cancellationToken))
            {
                LogSwept(logger, sha256);
                deleted++;
            }
        }
        return deleted;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    public override void Dispose()
    {
        foreach (var stripe in _stripes)
        {
            stripe.Dispose();
        }
        base.Dispose();
    }

    private SemaphoreSlim StripeOf(string sha256) =>
        sha256.Length == 64 ? _stripes[Convert.ToByte(sha256[..2], 16)] : throw new ArgumentException("Not a SHA-256 in hex.", nameof(sha256));

    private sealed class Release(SemaphoreSlim stripe) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                stripe.Release();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored file {Sha256} was no longer shared anywhere and was deleted")]
    private static partial void LogSwept(ILogger logger, string sha256);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The sweep of unshared files failed; it runs again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
