using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>The rules that hold when callers race, through the real host: what the log records, what callers are told.</summary>
public sealed class InvariantTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _db = new();
    private DiscussionsHost _host = null!;
    private string _id = "";
    private string _invite = "";

    private DiscussionsService.DiscussionsServiceClient Api => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await DiscussionsHost.StartAsync(_db, new Dictionary<string, string?> { ["Discussions:MaxSpeakers"] = "3" });
        var created = (await Api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Races" }, As("host"))).Discussion;
        (_id, _invite) = (created.DiscussionId, created.InviteCode);
        await Api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = _id }, As("host"));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task EightConcurrentEnds_LogOneDiscussionEnded_AndTellTheOthersWhy()
    {
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => OutcomeAsync(async () =>
            await Api.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = _id }, As("host")))));

        Assert.Single(outcomes, o => o == "OK");
        Assert.All(outcomes.Where(o => o != "OK"), o => Assert.Equal("FailedPrecondition DISCUSSION_ENDED", o));
        var log = await Api.ListEventsAsync(new ListEventsRequest { DiscussionId = _id }, As("host"));
        Assert.Single(log.Events, e => e.KindCase == DiscussionEvent.KindOneofCase.DiscussionEnded);
    }

    [Fact]
    public async Task ConcurrentPromotions_NeverFillMoreThanTheSeats()
    {
        var people = Enumerable.Range(0, 6).Select(i => $"person{i}").ToArray();
        foreach (var person in people)
        {
            await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As(person));
            await Api.RaiseHandAsync(new RaiseHandRequest { DiscussionId = _id }, As(person));
        }

        var outcomes = await Task.WhenAll(people.Select(person => OutcomeAsync(async () =>
            await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = person, Role = Role.Participant }, As("host")))));

        // The host holds one of the three seats.
        Assert.Equal(2, outcomes.Count(o => o == "OK"));
        Assert.All(outcomes.Where(o => o != "OK"), o => Assert.Equal("FailedPrecondition SPEAKERS_FULL", o));
        var room = await Api.ListAttendeesAsync(new ListAttendeesRequest { DiscussionId = _id }, As("host"));
        Assert.Equal(3, room.Attendees.Count(a => a.Role >= Role.Participant));
        // Those refused keep their raised hand: the promotion did not happen, so neither did its lowering.
        var hands = await Api.ListRaisedHandsAsync(new ListRaisedHandsRequest { DiscussionId = _id }, As("host"));
        Assert.Equal(4, hands.Hands.Count);
    }

    [Theory]
    [InlineData(Role.CoHost)]
    [InlineData(Role.Participant)]
    public async Task SomeoneRemoved_WhoRejoins_ComesBackAsAnAttendee_WithoutTheJoinLink(Role before)
    {
        await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("deputy"));
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "deputy", Role = before }, As("host"));
        await Api.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = _id, UserId = "deputy" }, As("host"));

        var back = await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("deputy"));

        Assert.Equal(Role.Attendee, back.Role);
        Assert.Equal("", back.Discussion.InviteCode);
        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.RotateInviteCodeAsync(new RotateInviteCodeRequest { DiscussionId = _id }, As("deputy")));
        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
    }

    [Fact]
    public async Task SomeoneWhoLeftOfTheirOwnAccord_ComesBackWithTheirRole()
    {
        await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("speaker"));
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "speaker", Role = Role.Participant }, As("host"));
        await Api.LeaveDiscussionAsync(new LeaveDiscussionRequest { DiscussionId = _id }, As("speaker"));

        var back = await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("speaker"));

        Assert.Equal(Role.Participant, back.Role);
    }

    private static async Task<string> OutcomeAsync(Func<Task> call)
    {
        try
        {
            await call();
            return "OK";
        }
        catch (RpcException refused)
        {
            return $"{refused.StatusCode} {RpcErrors.ReasonOf(refused)}";
        }
    }
}
