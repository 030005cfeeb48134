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
    //
    // Copying frames back is not enough to keep the WAL small: SQLite starts writing it from the beginning
    // again only when a commit finds every frame copied and no reader on a snapshot that needs them, which
    // under steady comments and reads never happens (the comments benchmark grew it to ~400 MB, until the
    // writer's own checkpoint). So once it passes WalRestartFrames, a RESTART checkpoint runs with the store's
    // writer lock held: it copies what the last PASSIVE one left (a quarter second of commits), waits for the
    // readers still on old snapshots (new ones read the database file), and the next commit rewinds the WAL.
    // In the comments benchmark (50 discussions) the WAL file then peaked at 64-92 MB instead of 100-390 MB.
    internal const int WriterCheckpointPages = 100_000;
    private const long WalSizeLimitBytes = 64L << 20;
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>WAL frames (a 4 KiB page each) past which the WAL is restarted: 64 MiB, the size SQLite trims it back to.</summary>
    internal int WalRestartFrames { get; init; } = (int)(WalSizeLimitBytes / 4096);

    private readonly CancellationTokenSource _stopping = new();
    private Thread? _checkpoints;

    private static string WriterPragmas => $"""
        PRAGMA synchronous = NORMAL;
        PRAGMA wal_autocheckpoint = {WriterCheckpointPages};
        PRAGMA journal_size_limit = {WalSizeLimitBytes};
        """;

    // Called with the writer lock held, when the writer connection opens. Checkpoints block on the disk
    // (copies, fsync): a thread of their own rather than one of the pool's, which serve calls.
    private void StartCheckpoints()
    {
        if (_checkpoints is null)
        {
            _checkpoints = new Thread(() => Checkpoints(_stopping.Token)) { IsBackground = true, Name = "SQLite checkpoints" };
            _checkpoints.Start();
        }
    }

    private void Checkpoints(CancellationToken stopping)
    {
        SqliteConnection? connection = null;
        try
        {
            while (!stopping.WaitHandle.WaitOne(CheckpointInterval))
            {
                try
                {
                    connection ??= OpenCheckpointer();
                    if (Checkpoint(connection, "PASSIVE") >= WalRestartFrames)
                    {
                        _writeLock.Wait(stopping);
                        try
                        {
                            Checkpoint(connection, "RESTART");
                        }
                        finally
                        {
                            _writeLock.Release();
                        }
                    }
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

    private SqliteConnection OpenCheckpointer()
    {
        var connection = new SqliteConnection(connectionString);
        connection.Open();
        // How long a RESTART waits for readers on old snapshots (reads take well under a millisecond); one
        // that times out is tried again at the next tick.
        using var pragma = Command(connection, "PRAGMA busy_timeout = 100;");
        pragma.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs a checkpoint; returns how many frames the WAL holds.</summary>
    private static long Checkpoint(SqliteConnection connection, string mode)
    {
        using var checkpoint = Command(connection, $"PRAGMA wal_checkpoint({mode});");
        using var result = checkpoint.ExecuteReader();
        // One row: whether it was blocked, the frames in the WAL, the frames copied back.
        return result.Read() ? result.GetInt64(1) : 0;
    }

    private void StopCheckpoints()
    {
        _stopping.Cancel();
        // The store is closing; a checkpoint not finished by then is done by SQLite when the next writer opens the file.
        _checkpoints?.Join(TimeSpan.FromSeconds(5));
        _stopping.Dispose();
    }
}
