using IWouldArgue.Testing;
using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using Microsoft.Extensions.DependencyInjection;
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
    // The state store both instances reach (one Dapr component or NATS bucket in a deployment).
    private readonly InProcessStateStore _state = new(TimeProvider.System);
    private DiscussionsHost _a = null!;
    private DiscussionsHost _b = null!;

    public async Task InitializeAsync()
    {
        var database = await postgres.Server.CreateDatabaseAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Discussions:Provider"] = "postgres",
            ["Discussions:ConnectionString"] = database,
            // Bursts of 100 refilled at 1 a second: the 40 comments of two people below pass; 200 from one person do not.
            ["Discussions:CommentsPerSecond"] = "1",
            ["Discussions:CommentBurst"] = "100",
        };
        _a = await DiscussionsHost.StartAsync(_unused, settings, s => s.AddSingleton<IStateStore>(_state));
        _b = await DiscussionsHost.StartAsync(_unused, settings, s => s.AddSingleton<IStateStore>(_state));
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

    [Fact]
    public async Task APersonsCommentLimit_IsOneAcrossInstances_NotOnePerInstance()
    {
        var created = (await _a.Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Limited" }, As("hana"))).Discussion;
        await _a.Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("hana"));

        // 200 at once, half through each instance, against one bucket of 100 refilled at 1/s: a bucket per instance would
        // have let all 200 through.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            try
            {
                await (i % 2 == 0 ? _a : _b).Client.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = $"flood {i}" }, As("hana"));
                return StatusCode.OK;
            }
            catch (RpcException refused)
            {
                return refused.StatusCode;
            }
        }));

        Assert.All(outcomes, o => Assert.Contains(o, new[] { StatusCode.OK, StatusCode.ResourceExhausted }));
        Assert.InRange(outcomes.Count(o => o == StatusCode.OK), 1, 110);
    }
}
