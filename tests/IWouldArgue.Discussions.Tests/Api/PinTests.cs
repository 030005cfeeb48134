using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>PinComment: who may pin, what can be pinned, and what the log and the state keep of it.</summary>
public sealed class PinTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _db = new();
    private DiscussionsHost _host = null!;
    private string _id = "";

    private DiscussionsService.DiscussionsServiceClient Api => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await DiscussionsHost.StartAsync(_db);
        _id = (await _host.StartLiveAsync("Pins", "cohost", "alice")).DiscussionId;
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "cohost", Role = Role.CoHost }, As("host"));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task ACoHostPins_TheLogNamesTheComment_AndDeletingItTakesThePinDown()
    {
        var comment = (await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "Read the brief first" }, As("alice"))).Comment;

        var pinned = await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id, CommentId = comment.CommentId }, As("cohost"));
        var kept = await Pins.GetAsync(_id);
        await Api.DeleteCommentAsync(new DeleteCommentRequest { DiscussionId = _id, CommentId = comment.CommentId }, As("alice"));

        Assert.Equal("Read the brief first", pinned.Pinned.Text);
        Assert.Equal(comment.CommentId, kept?.CommentId);
        Assert.Null(await Pins.GetAsync(_id));
        var events = (await Api.ListEventsAsync(new ListEventsRequest { DiscussionId = _id, Limit = 100 }, As("host"))).Events
            .Where(e => e.CommentPinned is not null).Select(e => e.CommentPinned).ToList();
        Assert.Equal([comment.CommentId, ""], events.Select(p => p.CommentId));
        Assert.Equal(["cohost", "alice"], events.Select(p => p.By.UserId));
    }

    [Fact]
    public async Task PinningAgainReplaces_AndAnEmptyIdUnpins()
    {
        var first = (await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "one" }, As("alice"))).Comment;
        var second = (await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "two" }, As("alice"))).Comment;

        await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id, CommentId = first.CommentId }, As("host"));
        await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id, CommentId = second.CommentId }, As("host"));
        var replaced = await Pins.GetAsync(_id);
        var unpinned = await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id }, As("host"));

        Assert.Equal("two", replaced?.Text);
        Assert.Null(unpinned.Pinned);
        Assert.Null(await Pins.GetAsync(_id));
    }

    [Fact]
    public async Task AnAttendeeMayNotPin_NorMayAnyonePinWhatIsNotThere_OrAfterTheEnd()
    {
        var comment = (await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "pin me" }, As("alice"))).Comment;

        var byAttendee = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id, CommentId = comment.CommentId }, As("alice")));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id, CommentId = "c_nothing" }, As("host")));
        await Api.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = _id }, As("host"));
        var afterEnd = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.PinCommentAsync(new PinCommentRequest { DiscussionId = _id, CommentId = comment.CommentId }, As("host")));

        Assert.Equal(StatusCode.PermissionDenied, byAttendee.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, unknown.StatusCode);
        Assert.Equal("comment_id", RpcErrors.DetailsOf(unknown)!.GetDetail<Google.Rpc.BadRequest>().FieldViolations.Single().Field);
        Assert.Equal(StatusCode.FailedPrecondition, afterEnd.StatusCode);
        Assert.Equal("NOT_LIVE", RpcErrors.ReasonOf(afterEnd));
    }

    private PinnedComments Pins => _host.Services.GetRequiredService<PinnedComments>();
}
