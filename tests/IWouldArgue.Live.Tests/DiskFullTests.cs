using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;
using static IWouldArgue.Live.Tests.LiveTestHost;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// Watching while the store's disk is full, for real: the database on a small tmpfs mounted for the test (as root, or
/// with sudo), filled to the last byte. Writes are refused, but open streams stay open, members who arrive still get
/// their snapshot, and what is posted once space returns reaches both.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly SmallDisk _disk;

    public DiskFullTests() => _disk = new SmallDisk(Path.GetDirectoryName(_db.ConnectionString["Data Source=".Length..])!);

    public void Dispose()
    {
        _disk.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task OnAFullDisk_OpenStreamsStay_NewWatchersGetTheirSnapshot_AndCommentsFlowAgainWhenSpaceReturns()
    {
        await using var host = await LiveTestHost.StartAsync(_db);
        var room = await Room.OpenAsync(host, attendees: 2);
        await room.PostAsync(2, "before");
        await using var early = WatchSession.OverGrpc(host, room.Id, "user-0");
        await early.WaitUntilAsync(s => s.Frames.Any(f => f.Snapshot is not null));
        _disk.Fill();

        var refused = await FirstRefusedPostAsync(room);
        await using var late = WatchSession.OverGrpc(host, room.Id, "user-1");
        await late.WaitUntilAsync(s => s.Frames.Any(f => f.Snapshot is not null));
        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Equal("STORAGE_FULL", RpcErrors.ReasonOf(refused));
        Assert.Null(early.FinalStatus);
        Assert.Equal(["before 0", "before 1"], late.Frames.First(f => f.Snapshot is not null).Snapshot.RecentComments.Select(c => c.Text).Where(t => t.StartsWith("before", StringComparison.Ordinal)));

        _disk.Free();
        var after = (await host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = room.Id, Text = "after" }, As(Room.HostUser))).Comment.Seq;
        await Task.WhenAll(early.WaitForSeqAsync(after), late.WaitForSeqAsync(after));
        Assert.Null(early.FinalStatus);
        Assert.Null(late.FinalStatus);
    }

    // Writes land in SQLite's write-ahead log, which may still have room for a few; the first one that has none is refused.
    private static async Task<RpcException> FirstRefusedPostAsync(Room room)
    {
        for (var i = 0; i < 500; i++)
        {
            try
            {
                await room.Host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = room.Id, Text = new string('x', 2000) }, As(Room.HostUser));
            }
            catch (RpcException refused)
            {
                return refused;
            }
        }
        throw new InvalidOperationException("500 comments were stored on a full disk.");
    }
}
