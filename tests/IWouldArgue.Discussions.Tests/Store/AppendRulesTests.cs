using IWouldArgue.Testing;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>
/// The rules hold where events are stored, on every store: two stores on one database (two writers, as two processes
/// would be) and events of one batch are judged against what the transaction sees, not what a caller read before.
/// </summary>
public abstract class AppendRulesContract
{
    /// <summary>A store on this test's database (each call another writer on the same one), with this many speaking seats.</summary>
    protected abstract Task<IDiscussionStore> OpenAsync(int seats = 20);

    [Fact]
    public async Task TwoWritersEndingTogether_LogOneDiscussionEnded()
    {
        var first = await OpenAsync();
        var second = await OpenAsync();
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        var outcomes = await Task.WhenAll(new[] { first, second, first, second }.Select(store => Task.Run(async () =>
        {
            try
            {
                await store.AppendAsync([Ended("d1")]);
                return "ended";
            }
            catch (RuleBrokenException refused)
            {
                return refused.Reason;
            }
        })));

        Assert.Equal(["DISCUSSION_ENDED", "DISCUSSION_ENDED", "DISCUSSION_ENDED", "ended"], outcomes.Order());
        var log = await first.ListEventsAsync("d1", 0, 10);
        Assert.Single(log, e => e.KindCase == DiscussionEvent.KindOneofCase.DiscussionEnded);
    }

    [Fact]
    public async Task EndedTwiceInOneBatch_StoresNothingOfTheBatch()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());

        var refused = await Assert.ThrowsAsync<RuleBrokenException>(() => store.AppendAsync([Ended("d1"), TempDatabase.Comment("d1", "late"), Ended("d1")]));

        Assert.Equal(RuleKind.NotNow, refused.Kind);
        Assert.Empty(await store.ListEventsAsync("d1", 0, 10));
        Assert.Equal(DiscussionState.Live, (await store.GetDiscussionAsync("d1"))!.State);
    }

    [Fact]
    public async Task CommentAfterTheEnd_IsRefused()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([Ended("d1")]);

        var refused = await Assert.ThrowsAsync<RuleBrokenException>(() => store.AppendAsync([TempDatabase.Comment("d1", "too-late")]));

        Assert.Equal("NOT_LIVE", refused.Reason);
    }

    [Fact]
    public async Task PromotionsPastTheSeats_AreRefused_WhenOtherWritersFilledThem()
    {
        // Two seats: the host holds one.
        var first = await OpenAsync(2);
        var second = await OpenAsync(2);
        await first.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await first.AppendAsync([TempDatabase.Joined("d1", "host-1", Role.Host), .. new[] { "a", "b", "c" }.Select(u => TempDatabase.Joined("d1", u))]);

        var outcomes = await Task.WhenAll(new[] { ("a", first), ("b", second), ("c", first) }.Select(p => Task.Run(async () =>
        {
            try
            {
                await p.Item2.AppendAsync([Promoted("d1", p.Item1, Role.Participant)]);
                return "promoted";
            }
            catch (RuleBrokenException refused)
            {
                return refused.Reason;
            }
        })));

        Assert.Equal(["SPEAKERS_FULL", "SPEAKERS_FULL", "promoted"], outcomes.Order());
        Assert.Equal(2, await first.CountSpeakersAsync("d1"));
    }

    [Fact]
    public async Task TwoPromotionsInOneBatch_PastTheSeats_AreRefusedTogether()
    {
        var store = await OpenAsync(2);
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "host-1", Role.Host), TempDatabase.Joined("d1", "a"), TempDatabase.Joined("d1", "b")]);

        var refused = await Assert.ThrowsAsync<RuleBrokenException>(() =>
            store.AppendAsync([Promoted("d1", "a", Role.Participant), Promoted("d1", "b", Role.CoHost)]));

        Assert.Equal("SPEAKERS_FULL", refused.Reason);
        Assert.Equal(1, await store.CountSpeakersAsync("d1"));
    }

    [Fact]
    public async Task PromotingSomeoneWhoLeft_IsRefusedAsGone()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "a"), Left("d1", "a", LeaveReason.Left)]);

        var refused = await Assert.ThrowsAsync<RuleBrokenException>(() => store.AppendAsync([Promoted("d1", "a", Role.Participant)]));

        Assert.Equal(RuleKind.Gone, refused.Kind);
    }

    [Theory]
    [InlineData(LeaveReason.Removed, Role.CoHost, Role.Attendee)]
    [InlineData(LeaveReason.Removed, Role.Participant, Role.Attendee)]
    [InlineData(LeaveReason.Left, Role.CoHost, Role.CoHost)]
    [InlineData(LeaveReason.Disconnected, Role.Participant, Role.Participant)]
    public async Task Rejoining_AfterLeaving_GivesTheRoleTheRulesAllow(LeaveReason reason, Role before, Role after)
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "b"), Promoted("d1", "b", before), Left("d1", "b", reason)]);

        // Asked with the old role, as a join by link asks.
        var stored = await store.AppendAsync([TempDatabase.Joined("d1", "b", before)]);

        Assert.Equal(after, stored[0].AttendeeJoined.Role);
        Assert.Equal(after, (await store.GetAttendeeAsync("d1", "b"))!.Attendee.Role);
    }

    [Fact]
    public async Task Joining_WhileBannedOrAfterTheEnd_IsRefused()
    {
        var store = await OpenAsync();
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "b"), Left("d1", "b", LeaveReason.Banned)]);

        var banned = await Assert.ThrowsAsync<RuleBrokenException>(() => store.AppendAsync([TempDatabase.Joined("d1", "b")]));
        await store.AppendAsync([Ended("d1")]);
        var ended = await Assert.ThrowsAsync<RuleBrokenException>(() => store.AppendAsync([TempDatabase.Joined("d1", "c")]));

        Assert.Equal((RuleKind.NotAllowed, "BANNED"), (banned.Kind, banned.Reason));
        Assert.Equal("DISCUSSION_ENDED", ended.Reason);
    }

    [Fact]
    public async Task AReturningSpeaker_GetsTheirSeatOnlyIfOneIsFree()
    {
        var store = await OpenAsync(2);
        await store.CreateDiscussionAsync(TempDatabase.NewDiscussion());
        await store.AppendAsync([TempDatabase.Joined("d1", "host-1", Role.Host), TempDatabase.Joined("d1", "a"), TempDatabase.Joined("d1", "b")]);
        await store.AppendAsync([Promoted("d1", "a", Role.Participant), Left("d1", "a", LeaveReason.Left), Promoted("d1", "b", Role.Participant)]);

        var stored = await store.AppendAsync([TempDatabase.Joined("d1", "a", Role.Participant)]);

        Assert.Equal(Role.Attendee, stored[0].AttendeeJoined.Role);
    }

    private static DiscussionEvent Ended(string id) =>
        new() { DiscussionId = id, DiscussionEnded = new DiscussionEnded { Reason = EndReason.ByHost } };

    private static DiscussionEvent Promoted(string id, string userId, Role role) =>
        new() { DiscussionId = id, RoleChanged = new RoleChanged { User = new UserRef { UserId = userId, DisplayName = userId }, Role = role } };

    private static DiscussionEvent Left(string id, string userId, LeaveReason reason) =>
        new() { DiscussionId = id, AttendeeLeft = new AttendeeLeft { User = new UserRef { UserId = userId, DisplayName = userId }, Reason = reason } };
}

/// <summary>The rules on SQLite, the embedded default.</summary>
public sealed class SqliteAppendRulesTests : AppendRulesContract, IDisposable
{
    private readonly TempDatabase _db = new();

    public void Dispose() => _db.Dispose();

    protected override async Task<IDiscussionStore> OpenAsync(int seats = 20)
    {
        var store = new SqliteDiscussionStore(_db.ConnectionString, new AppendRules(seats));
        await store.MigrateAsync();
        return store;
    }
}

/// <summary>The rules on a real PostgreSQL server.</summary>
[Collection(OnPostgres.Name)]
public sealed class PostgresAppendRulesTests(PostgresFixture postgres) : AppendRulesContract
{
    private readonly Lazy<Task<string>> _database = new(postgres.Server.CreateDatabaseAsync);

    protected override async Task<IDiscussionStore> OpenAsync(int seats = 20)
    {
        var store = new PostgresDiscussionStore(await _database.Value, new AppendRules(seats));
        await store.MigrateAsync();
        return store;
    }
}
