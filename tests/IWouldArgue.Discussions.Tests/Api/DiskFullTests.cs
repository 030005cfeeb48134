using IWouldArgue.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>
/// The store's disk fills up for real: the database lives on a small tmpfs mounted for the test (as root, or with sudo
/// as the test command's package installs), which a filler file then fills to the last byte.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly TempDatabase _db = new();
    private readonly SmallDisk _disk;

    public DiskFullTests() => _disk = new SmallDisk(_db.Folder);

    public void Dispose()
    {
        _disk.Dispose();
        _db.Dispose();
    }

    [Fact]
    public async Task AFullDisk_RefusesWritesWithASentence_KeepsReadsAndTheHost_AndRecoversWhenSpaceReturns()
    {
        var host = await DiscussionsHost.StartAsync(_db);
        try
        {
            var created = (await host.Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Full disk" }, As("host"))).Discussion;
            var id = created.DiscussionId;
            await host.Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = id }, As("host"));
            // Posted just before the disk fills: recording them as published (a quarter second after the first) must then
            // fail, which used to stop the host.
            foreach (var text in new[] { "before 1", "before 2" })
            {
                await host.Client.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = text }, As("host"));
            }
            _disk.Fill();

            var refusal = await FirstRefusedWriteAsync(host.Client);
            Assert.Equal(StatusCode.ResourceExhausted, refusal.StatusCode);
            Assert.Equal("STORAGE_FULL", RpcErrors.ReasonOf(refusal));
            Assert.Contains("storage is full", refusal.Status.Detail, StringComparison.Ordinal);

            // Past the publisher's sweep, which forces the pending mark against the full disk.
            await Task.Delay(TimeSpan.FromSeconds(6));
            // (A host started with StartAsync keeps serving after it asks to stop; one started with Run, as in production, exits.)
            Assert.False(host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.IsCancellationRequested, "The host asked to stop.");
            Assert.Equal(["before 2", "before 1"], await CommentsAsync(host.Client, id));

            // A restart while the disk is still full comes up and serves reads.
            await host.DisposeAsync();
            host = await DiscussionsHost.StartAsync(_db);
            Assert.Equal(DiscussionState.Live, (await host.Client.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = id }, As("host"))).Discussion.State);

            _disk.Free();
            await host.Client.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = "after" }, As("host"));
            Assert.Equal(["after", "before 2", "before 1"], await CommentsAsync(host.Client, id));
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    // Writes land in SQLite's write-ahead log, which may still have room for a few; the first one that has none is refused.
    private static async Task<RpcException> FirstRefusedWriteAsync(DiscussionsService.DiscussionsServiceClient client)
    {
        var description = new string('x', 2000);
        for (var i = 0; i < 500; i++)
        {
            try
            {
                await client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = $"Filling {i}", Description = description }, As("host"));
            }
            catch (RpcException refused)
            {
                return refused;
            }
        }
        throw new InvalidOperationException("500 discussions were stored on a full disk.");
    }

    private static async Task<string[]> CommentsAsync(DiscussionsService.DiscussionsServiceClient client, string id) =>
        [.. (await client.ListCommentsAsync(new ListCommentsRequest { DiscussionId = id }, As("host"))).Comments.Select(c => c.Text)];
}
