using Microsoft.Data.Sqlite;

namespace IWouldArgue.Discussions.Store;

public sealed partial class SqliteDiscussionStore
{
    // Checkpointing copies the WAL back into the database file and syncs it to disk. Left to SQLite, it runs
    // inside whichever commit crosses 1,000 WAL pages, on the one writer every comment waits for: measured
    // with the bench tool's `store 1 16`, that was a third of the writer's time per comment. Here it
    // runs on a connection of its own, in PASSIVE mode (it never waits for or blocks the writer or readers),
    // a few times a second. The writer still checkpoints by itself past WriterCheckpointPages (~400 MB of
    // WAL), so the file stays bounded even if these fall behind.
    internal const int WriterCheckpointPages = 100_000;
    private const long WalSizeLimitBytes = 64L << 20;
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _stopping = new();
    private Task? _checkpoints;

    private static string WriterPragmas => $"""
        PRAGMA synchronous = NORMAL;
        PRAGMA wal_autocheckpoint = {WriterCheckpointPages};
        PRAGMA journal_size_limit = {WalSizeLimitBytes};
        """;

    // Called with the writer lock held, when the writer connection opens.
    private void StartCheckpoints() => _checkpoints ??= Task.Run(() => CheckpointAsync(_stopping.Token));

    private async Task CheckpointAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(CheckpointInterval);
        SqliteConnection? connection = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    connection ??= await OpenAsync(stopping);
                    await using var checkpoint = Command(connection, "PRAGMA wal_checkpoint(PASSIVE);");
                    await checkpoint.ExecuteNonQueryAsync(stopping);
                }
                catch (SqliteException)
                {
                    // A busy or briefly unavailable file: the next tick tries again on a fresh connection.
                    connection?.Dispose();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            connection?.Dispose();
        }
    }

    private void StopCheckpoints()
    {
        _stopping.Cancel();
        try
        {
            _checkpoints?.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The store is closing; a checkpoint that failed now is done by SQLite when the next writer opens the file.
        }
        _stopping.Dispose();
    }
}
