using IWouldArgue.Testing;
using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>
/// Two Discussions hosts over one real PostgreSQL database, as two instances behind a load balancer: either serves any
/// discussion, numbering stays dense whichever one appends, and the rules hold across them.
/// </summary>
[Collection(OnPostgres.Name)]
public sealed class TwoInstancesTests(PostgresFixture postgres) : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _unused = new();
    private DiscussionsHost _a = null!;
    private DiscussionsHost _b = null!;

    public async Task InitializeAsync()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Discussions:Provider"] = "postgres",
            ["Discussions:ConnectionString"] = database,
            ["Discussions:CommentsPerSecond"] = "1000",
            ["Discussions:CommentBurst"] = "1000",
        };
        _a = await DiscussionsHost.StartAsync(_unused, settings);
        _b = await DiscussionsHost.StartAsync(_unused, settings);
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    public void Dispose() => _unused.Dispose();

    [Fact]
    public async Task EitherInstanceServesTheDiscussion_CommentsFromBothAreNumberedDensely_AndItEndsOnce()
    {
        var created = (await _a.Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Shared" }, As("hana"))).Discussion;
        await _b.Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("hana"));
        await _b.Client.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As("omar"));

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => (i % 2 == 0 ? _a : _b).Client.PostCommentAsync(
            new PostCommentRequest { DiscussionId = created.DiscussionId, Text = $"comment {i}" }, As(i % 4 < 2 ? "hana" : "omar")).ResponseAsync));
        var ends = await Task.WhenAll(new[] { _a, _b, _a, _b }.Select(async host =>
        {
            try
            {
                await host.Client.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = created.DiscussionId }, As("hana"));
                return "ended";
            }
            catch (RpcException refused)
            {
                return RpcErrors.ReasonOf(refused);
            }
        }));

        var log = await _a.Client.ListEventsAsync(new ListEventsRequest { DiscussionId = created.DiscussionId, Limit = 1000 }, As("hana"));
        Assert.Equal(Enumerable.Range(1, log.Events.Count).Select(i => (ulong)i), log.Events.Select(e => e.Seq));
        Assert.Equal(40, log.Events.Count(e => e.KindCase == DiscussionEvent.KindOneofCase.CommentPosted));
        Assert.Single(log.Events, e => e.KindCase == DiscussionEvent.KindOneofCase.DiscussionEnded);
        Assert.Equal(["DISCUSSION_ENDED", "DISCUSSION_ENDED", "DISCUSSION_ENDED", "ended"], ends.Order());
        var fromB = await _b.Client.ListCommentsAsync(new ListCommentsRequest { DiscussionId = created.DiscussionId, Page = new PageRequest { PageSize = 100 } }, As("omar"));
        Assert.Equal(40, fromB.Comments.Count);
    }
}
