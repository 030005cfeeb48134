using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

public class HostFlowTests
{
    [Fact]
    public async Task FullFlow_CreateJoinRaisePromoteCommentDeleteEnd_IsRecordedInOrder()
    {
        using var db = new TempDatabase();
        await using var host = await DiscussionsHost.StartAsync(db);
        var api = host.Client;

        var created = (await api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "  Four-day work week?  " }, As("hana", "Hana"))).Discussion;
        var id = created.DiscussionId;
        Assert.Equal("Four-day work week?", created.Title);
        Assert.Equal(22, created.InviteCode.Length);
        await api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = id }, As("hana"));

        var joined = await api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As("omar", "Omar"));
        Assert.Equal(Role.Attendee, joined.Role);
        Assert.Equal("", joined.Discussion.InviteCode);
        await api.RaiseHandAsync(new RaiseHandRequest { DiscussionId = id }, As("omar"));
        var queue = await api.ListRaisedHandsAsync(new ListRaisedHandsRequest { DiscussionId = id }, As("hana"));
        Assert.Equal(["omar"], queue.Hands.Select(h => h.User.UserId));

        await api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = id, UserId = "omar", Role = Role.Participant }, As("hana"));
        Assert.Empty((await api.ListRaisedHandsAsync(new ListRaisedHandsRequest { DiscussionId = id }, As("hana"))).Hands);

        var comment = (await api.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = "Productivity rises.\r\nSources below." }, As("omar"))).Comment;
        Assert.Equal("Productivity rises.\nSources below.", comment.Text);
        await api.DeleteCommentAsync(new DeleteCommentRequest { DiscussionId = id, CommentId = comment.CommentId }, As("hana"));
        await api.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = id }, As("hana"));

        var log = await api.ListEventsAsync(new ListEventsRequest { DiscussionId = id }, As("hana"));
        Assert.Equal(
            [
                DiscussionEvent.KindOneofCase.AttendeeJoined, DiscussionEvent.KindOneofCase.DiscussionStarted,
                DiscussionEvent.KindOneofCase.AttendeeJoined, DiscussionEvent.KindOneofCase.HandRaised,
                DiscussionEvent.KindOneofCase.HandLowered, DiscussionEvent.KindOneofCase.RoleChanged,
                DiscussionEvent.KindOneofCase.CommentPosted, DiscussionEvent.KindOneofCase.CommentDeleted,
                DiscussionEvent.KindOneofCase.DiscussionEnded,
            ],
            log.Events.Select(e => e.KindCase));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (ulong)i), log.Events.Select(e => e.Seq));
        Assert.Equal(HandLoweredReason.Promoted, log.Events[4].HandLowered.Reason);
        Assert.Equal("", log.Events[6].CommentPosted.Comment.Text);
        Assert.Equal(2u, log.Events[2].AttendeeJoined.AttendeeCount);
        Assert.Equal(9UL, log.LastSeq);
    }

    [Fact]
    public async Task ALiveDiscussion_IsJoinedByItsId_AScheduledOneOnlyByItsLink()
    {
        using var db = new TempDatabase();
        await using var host = await DiscussionsHost.StartAsync(db);
        var api = host.Client;
        var id = (await api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Listed" }, As("hana"))).Discussion.DiscussionId;

        var stranger = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await api.ListCommentsAsync(new ListCommentsRequest { DiscussionId = id }, As("vera")));
        var early = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await api.JoinDiscussionAsync(new JoinDiscussionRequest { DiscussionId = id }, As("vera")));
        await api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = id }, As("hana"));
        var joined = await api.JoinDiscussionAsync(new JoinDiscussionRequest { DiscussionId = id }, As("vera"));

        Assert.Equal((Grpc.Core.StatusCode.PermissionDenied, "NOT_A_MEMBER"), (stranger.StatusCode, IWouldArgue.Contracts.RpcErrors.ReasonOf(stranger)));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, early.StatusCode);
        Assert.Equal(Role.Attendee, joined.Role);
        Assert.Equal("", joined.Discussion.InviteCode);
        await api.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = "found it under Live now" }, As("vera"));
    }

    [Theory]
    [InlineData(-10, "scheduled_start_at: is in the past.")]
    [InlineData(60 * 24 * 31, "scheduled_start_at: is more than 30 days ahead.")]
    [InlineData(90, null)]
    public async Task APlannedStart_IsInTheComingMonth(int minutesFromNow, string? refusal)
    {
        using var db = new TempDatabase();
        await using var host = await DiscussionsHost.StartAsync(db);
        var request = new CreateDiscussionRequest { Title = "Later", ScheduledStartAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(minutesFromNow)) };

        if (refusal is null)
        {
            var created = (await host.Client.CreateDiscussionAsync(request, As("hana"))).Discussion;
            // Kept to the millisecond, as every time the store keeps.
            Assert.Equal(request.ScheduledStartAt.ToDateTimeOffset().ToUnixTimeMilliseconds(), created.ScheduledStartAt.ToDateTimeOffset().ToUnixTimeMilliseconds());
            Assert.Equal(DiscussionState.Scheduled, created.State);
        }
        else
        {
            var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await host.Client.CreateDiscussionAsync(request, As("hana")));
            Assert.Equal((Grpc.Core.StatusCode.InvalidArgument, refusal), (refused.StatusCode, refused.Status.Detail));
        }
    }

    [Fact]
    public async Task Comments_SurviveARestartOfTheHost()
    {
        using var db = new TempDatabase();
        string id;
        await using (var host = await DiscussionsHost.StartAsync(db))
        {
            id = (await host.Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Durable?" }, As("hana"))).Discussion.DiscussionId;
            await host.Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = id }, As("hana"));
            for (var i = 1; i <= 3; i++)
            {
                await host.Client.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = $"point {i}" }, As("hana"));
            }
        }

        await using var restarted = await DiscussionsHost.StartAsync(db);
        var comments = await restarted.Client.ListCommentsAsync(new ListCommentsRequest { DiscussionId = id, Order = CommentOrder.OldestFirst }, As("hana"));

        Assert.Equal(["point 1", "point 2", "point 3"], comments.Comments.Select(c => c.Text));
    }

    [Fact]
    public async Task AutoEnd_LiveDiscussionEndsAtItsMaximumDuration()
    {
        using var db = new TempDatabase();
        await using var host = await DiscussionsHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["Discussions:MaxDuration"] = "00:00:01",
            ["Discussions:AutoEndInterval"] = "00:00:00.200",
        });
        var id = (await host.Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Short one" }, As("hana"))).Discussion.DiscussionId;
        await host.Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = id }, As("hana"));

        Discussion discussion;
        var until = DateTime.UtcNow.AddSeconds(10);
        do
        {
            await Task.Delay(200);
            discussion = (await host.Client.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = id }, As("hana"))).Discussion;
        }
        while (discussion.State != DiscussionState.Ended && DateTime.UtcNow < until);

        Assert.Equal(DiscussionState.Ended, discussion.State);
        var last = (await host.Client.ListEventsAsync(new ListEventsRequest { DiscussionId = id }, As("hana"))).Events[^1];
        Assert.Equal(EndReason.MaxDuration, last.DiscussionEnded.Reason);
    }
}
