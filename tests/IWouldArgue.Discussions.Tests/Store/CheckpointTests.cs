using System.Buffers.Binary;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>The store copies its write-ahead log back into the database file in the background, not inside commits.</summary>
public class CheckpointTests
{
    [Fact]
    public async Task AfterWritesStop_TheWalIsCopiedBack_ThoughNoCommitReachedSQLitesOwnThreshold()
    {
        using var db = new TempDatabase();
        using var store = await db.OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        for (var batch = 0; batch < 20; batch++)
        {
            await store.AppendAsync([.. Enumerable.Range(0, 10).Select(i => TempDatabase.Comment("d1", $"c{batch}-{i}", text: new string('x', 500)))]);
        }

        var (logFrames, copied) = WalProgress(db);
        for (var until = DateTime.UtcNow.AddSeconds(10); copied < logFrames && DateTime.UtcNow < until; (logFrames, copied) = WalProgress(db))
        {
            await Task.Delay(50);
        }

        Assert.True(logFrames > 0, "the appends went to the WAL");
        Assert.True(logFrames < 1000, $"{logFrames} WAL frames: SQLite's own checkpoint at 1,000 would have run");
        Assert.Equal(logFrames, copied);
    }

    [Fact]
    public async Task UnderSteadyWritesAndReads_TheWalIsRestarted_InsteadOfGrowing()
    {
        using var db = new TempDatabase();
        using var store = await db.OpenAsync(walRestartFrames: 200);
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "u1")]);
        var wal = db.ConnectionString["Data Source=".Length..] + "-wal";
        using var stop = new CancellationTokenSource();
        // Readers on snapshots all the time, as comments' membership checks and watchers are.
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await store.GetWithMembershipAsync("d1", "u1");
                await store.ListCommentsAsync("d1", newestFirst: true, afterSeq: null, limit: 20);
            }
        })).ToList();
        long largest = 0, written = 0;
        uint lastFrames = 0, rewinds = 0;
        var text = new string('x', 1900);
        // Paced (a batch every few ms, ~5 WAL frames each), so what lands between two checkpoints stays small
        // even if this test's thread is starved for a while: without restarts the WAL would hold it all.
        for (var batch = 0; batch < 600; batch++)
        {
            await store.AppendAsync([.. Enumerable.Range(0, 8).Select(_ => TempDatabase.Comment("d1", "", text))]);
            written += 8 * text.Length;
            largest = Math.Max(largest, new FileInfo(wal).Length);
            var (frames, _) = WalProgress(db);
            rewinds += frames < lastFrames ? 1u : 0u;
            lastFrames = frames;
            await Task.Delay(4);
        }
        await stop.CancelAsync();
        await Task.WhenAll(readers);

        // ~9 MB of comments through a WAL restarted past 200 frames (0.8 MB). With no restart the file grows to
        // 37 MB (rewound 2-3 times in all); with them it peaked at 3.5 MB (15 rewinds) on a quiet machine and
        // 7.9 MB during a full test run, where the checkpoint thread waits for a core: the bound sits between.
        Assert.True(written > 9_000_000, $"{written} bytes written");
        Assert.True(largest < 20_000_000, $"the WAL reached {largest:N0} bytes, rewound {rewinds} times");
    }

    // The wal-index (the -shm file, https://www.sqlite.org/walformat.html): mxFrame, the last valid frame
    // in the WAL, at byte 16 of its header; nBackfill, how many frames a checkpoint has copied, at byte 96.
    // Both are in the host's byte order.
    private static (uint LogFrames, uint Copied) WalProgress(TempDatabase db)
    {
        var shm = db.ConnectionString["Data Source=".Length..] + "-shm";
        using var file = new FileStream(shm, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var header = new byte[100];
        file.ReadExactly(header);
        return BitConverter.IsLittleEndian
            ? (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16)), BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(96)))
            : (BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(16)), BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(96)));
    }
}
