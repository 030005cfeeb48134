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
