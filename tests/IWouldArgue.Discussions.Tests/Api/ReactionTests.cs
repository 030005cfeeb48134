using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>React: what may be reacted to, by whom, the totals the log carries, and the limit shared with comments.</summary>
public sealed class ReactionTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _db = new();
    private DiscussionsHost _host = null!;
    private string _id = "";

    private DiscussionsService.DiscussionsServiceClient Api => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await DiscussionsHost.StartAsync(_db);
        _id = (await _host.StartLiveAsync("Reactions", "alice", "bob")).DiscussionId;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task ReactionsToACommentAndToTheHost_CarryTotals_AndTheCommentReadsWithThem()
    {
        var comment = (await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "Cars out of the centre" }, As("alice"))).Comment;

        var first = await Api.ReactAsync(new ReactRequest { DiscussionId = _id, CommentId = comment.CommentId, Reaction = Reaction.Heart }, As("bob"));
        var second = await Api.ReactAsync(new ReactRequest { DiscussionId = _id, CommentId = comment.CommentId, Reaction = Reaction.Heart }, As("host"));
        var clap = await Api.ReactAsync(new ReactRequest { DiscussionId = _id, SpeakerUserId = "host", Reaction = Reaction.Clap }, As("alice"));

        Assert.Equal((1u, 2u, 1u), (first.Reacted.Count, second.Reacted.Count, clap.Reacted.Count));
        Assert.Equal("host", second.Reacted.By.UserId);
        var read = (await Api.ListCommentsAsync(new ListCommentsRequest { DiscussionId = _id }, As("bob"))).Comments.Single();
        Assert.Equal([(Reaction.Heart, 2u)], read.Reactions.Select(r => (r.Reaction, r.Count)));
        var events = (await Api.ListEventsAsync(new ListEventsRequest { DiscussionId = _id, Limit = 100 }, As("bob"))).Events.Where(e => e.Reacted is not null);
        Assert.Equal([1u, 2u, 1u], events.Select(e => e.Reacted.Count));
    }

    [Fact]
    public async Task BadTargets_AreRefused_NamingTheField()
    {
        var comment = (await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "soon gone" }, As("alice"))).Comment;
        await Api.DeleteCommentAsync(new DeleteCommentRequest { DiscussionId = _id, CommentId = comment.CommentId }, As("alice"));

        var deleted = await Refused(new ReactRequest { DiscussionId = _id, CommentId = comment.CommentId, Reaction = Reaction.Heart });
        var notOnStage = await Refused(new ReactRequest { DiscussionId = _id, SpeakerUserId = "bob", Reaction = Reaction.Heart });
        var noTarget = await Refused(new ReactRequest { DiscussionId = _id, Reaction = Reaction.Heart });
        var noKind = await Refused(new ReactRequest { DiscussionId = _id, SpeakerUserId = "host" });
        var unknownKind = await Refused(new ReactRequest { DiscussionId = _id, SpeakerUserId = "host", Reaction = (Reaction)99 });

        Assert.Equal(["comment_id", "speaker_user_id", "target", "reaction", "reaction"], new[] { deleted, notOnStage, noTarget, noKind, unknownKind }.Select(FieldOf));
        Assert.All(new[] { deleted, notOnStage, noTarget, noKind, unknownKind }, e => Assert.Equal(StatusCode.InvalidArgument, e.StatusCode));
    }

    [Fact]
    public async Task ReactionsShareTheCommentLimit_AndStopWithTheDiscussion()
    {
        // The default limit: a burst of 5, then 1/s.
        for (var i = 0; i < 5; i++)
        {
            await Api.ReactAsync(new ReactRequest { DiscussionId = _id, SpeakerUserId = "host", Reaction = Reaction.Heart }, As("bob"));
        }
        var overReacting = await Refused(new ReactRequest { DiscussionId = _id, SpeakerUserId = "host", Reaction = Reaction.Heart });
        var commentToo = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "and now a word" }, As("bob")));
        await Api.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = _id }, As("host"));
        var afterEnd = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.ReactAsync(new ReactRequest { DiscussionId = _id, SpeakerUserId = "host", Reaction = Reaction.Heart }, As("alice")));

        Assert.Equal(StatusCode.ResourceExhausted, overReacting.StatusCode);
        Assert.NotNull(RpcErrors.DetailsOf(overReacting)!.GetDetail<Google.Rpc.RetryInfo>());
        Assert.Equal(StatusCode.ResourceExhausted, commentToo.StatusCode);
        Assert.Equal("NOT_LIVE", RpcErrors.ReasonOf(afterEnd));
    }

    private Task<RpcException> Refused(ReactRequest request) =>
        Assert.ThrowsAsync<RpcException>(async () => await Api.ReactAsync(request, As("bob")));

    private static string? FieldOf(RpcException e) => RpcErrors.DetailsOf(e)?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.SingleOrDefault()?.Field;
}
