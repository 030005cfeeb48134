using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>SetReminder and ListDiscussions(REMINDERS): what a person's dashboard shows of the discussions they wait for.</summary>
public sealed class ReminderTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _db = new();
    private DiscussionsHost _host = null!;

    private DiscussionsService.DiscussionsServiceClient Api => _host.Client;

    public async Task InitializeAsync() => _host = await DiscussionsHost.StartAsync(_db);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task ADiscussionWaitedFor_IsListedScheduled_ThenLiveFirstWhenItStarts_AndNotOnceItEnds()
    {
        var later = await ScheduledAsync("Later today", minutesFromNow: 120);
        var sooner = await ScheduledAsync("In half an hour", minutesFromNow: 30);
        var notWanted = await ScheduledAsync("Not for me", minutesFromNow: 10);
        foreach (var discussion in new[] { later, sooner, notWanted })
        {
            await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = discussion.InviteCode }, As("fan"));
            await Api.SetReminderAsync(new SetReminderRequest { DiscussionId = discussion.DiscussionId, Remind = true }, As("fan"));
        }
        await Api.SetReminderAsync(new SetReminderRequest { DiscussionId = notWanted.DiscussionId, Remind = false }, As("fan"));

        var waiting = await RemindersOf("fan");
        await Api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = later.DiscussionId }, As("host"));
        var oneStarted = await RemindersOf("fan");
        await Api.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = later.DiscussionId }, As("host"));
        var oneOver = await RemindersOf("fan");

        Assert.Equal([("In half an hour", DiscussionState.Scheduled), ("Later today", DiscussionState.Scheduled)], waiting);
        Assert.Equal([("Later today", DiscussionState.Live), ("In half an hour", DiscussionState.Scheduled)], oneStarted);
        Assert.Equal([("In half an hour", DiscussionState.Scheduled)], oneOver);
        Assert.Empty(await RemindersOf("host"));
    }

    [Fact]
    public async Task AReminderIsRefused_ForALiveDiscussion_AndForSomeoneWithoutItsLink()
    {
        var scheduled = await ScheduledAsync("Soon", minutesFromNow: 5);
        var live = await ScheduledAsync("Now", minutesFromNow: 1);
        await Api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = live.DiscussionId }, As("host"));

        var alreadyLive = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.SetReminderAsync(new SetReminderRequest { DiscussionId = live.DiscussionId, Remind = true }, As("host")));
        var stranger = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.SetReminderAsync(new SetReminderRequest { DiscussionId = scheduled.DiscussionId, Remind = true }, As("stranger")));

        Assert.Equal((StatusCode.FailedPrecondition, "NOT_SCHEDULED"), (alreadyLive.StatusCode, RpcErrors.ReasonOf(alreadyLive)));
        Assert.Equal((StatusCode.PermissionDenied, "NOT_A_MEMBER"), (stranger.StatusCode, RpcErrors.ReasonOf(stranger)));
        Assert.Empty(await RemindersOf("stranger"));
        // Taking a reminder back is allowed whatever the state, so a stale button never errors.
        await Api.SetReminderAsync(new SetReminderRequest { DiscussionId = live.DiscussionId, Remind = false }, As("host"));
    }

    private async Task<Discussion> ScheduledAsync(string title, int minutesFromNow) =>
        (await Api.CreateDiscussionAsync(new CreateDiscussionRequest
        {
            Title = title,
            ScheduledStartAt = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(minutesFromNow)),
        }, As("host"))).Discussion;

    private async Task<(string, DiscussionState)[]> RemindersOf(string userId) =>
        [.. (await Api.ListDiscussionsAsync(new ListDiscussionsRequest { Filter = DiscussionFilter.Reminders }, As(userId))).Discussions.Select(d => (d.Title, d.State))];
}
