using Google.Rpc;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Tests.Store;
using Grpc.Core;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>Who may do what, limits and validation, through the real host.</summary>
public sealed class RulesTests : IAsyncLifetime, IDisposable
{
    private readonly TempDatabase _db = new();
    private DiscussionsHost _host = null!;
    private string _id = "";
    private string _invite = "";

    private DiscussionsService.DiscussionsServiceClient Api => _host.Client;

    public async Task InitializeAsync()
    {
        _host = await DiscussionsHost.StartAsync(_db, new Dictionary<string, string?> { ["Discussions:MaxSpeakers"] = "3" });
        var created = (await Api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Rules" }, As("host"))).Discussion;
        (_id, _invite) = (created.DiscussionId, created.InviteCode);
        await Api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = _id }, As("host"));
        foreach (var user in new[] { "cohost", "speaker", "alice", "bob" })
        {
            await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As(user));
        }
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "cohost", Role = Role.CoHost }, As("host"));
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "speaker", Role = Role.Participant }, As("host"));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public void Dispose() => _db.Dispose();

    public static TheoryData<string, string> Denied => new()
    {
        { "alice", "start" }, { "alice", "end" }, { "alice", "rotate" }, { "alice", "promote" }, { "alice", "remove" }, { "alice", "ban" },
        { "alice", "lower-other" }, { "speaker", "promote" }, { "speaker", "remove" }, { "speaker", "end" },
        { "cohost", "end" }, { "cohost", "remove-host" }, { "cohost", "make-cohost" },
        { "stranger", "comment" }, { "stranger", "list-events" }, { "stranger", "raise" },
    };

    [Theory]
    [MemberData(nameof(Denied))]
    public async Task Action_WithoutTheRole_IsPermissionDenied(string who, string action)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Do(action, As(who)));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task CoHost_MayModerateAttendees()
    {
        await Api.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = _id, UserId = "bob" }, As("cohost"));
        await Api.RotateInviteCodeAsync(new RotateInviteCodeRequest { DiscussionId = _id }, As("cohost"));

        var people = await Api.ListAttendeesAsync(new ListAttendeesRequest { DiscussionId = _id }, As("cohost"));
        Assert.DoesNotContain(people.Attendees, a => a.User.UserId == "bob");
        Assert.Equal(Role.Host, people.Attendees[0].Role);
    }

    [Fact]
    public async Task Comments_OverTheRate_AreRefusedWithRetryAfter()
    {
        for (var i = 0; i < 5; i++)
        {
            await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = $"burst {i}" }, As("alice"));
        }

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "one too many" }, As("alice")));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        var retry = RpcErrors.DetailsOf(ex)!.GetDetail<RetryInfo>();
        Assert.InRange(retry.RetryDelay.ToTimeSpan(), TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        // Others are not limited by alice's burst.
        await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "mine" }, As("bob"));
    }

    [Fact]
    public async Task RotatedInvite_OldLinkStopsWorking_NewOneWorks()
    {
        var fresh = (await Api.RotateInviteCodeAsync(new RotateInviteCodeRequest { DiscussionId = _id }, As("host"))).InviteCode;

        var old = await Assert.ThrowsAsync<RpcException>(async () => await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("carol")));
        var joined = await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = fresh }, As("carol"));

        Assert.Equal(StatusCode.NotFound, old.StatusCode);
        Assert.NotEqual(_invite, fresh);
        Assert.Equal(Role.Attendee, joined.Role);
    }

    [Fact]
    public async Task BannedUser_IsOut_CannotComment_CannotRejoin_UntilUnbanned()
    {
        await Api.BanUserAsync(new BanUserRequest { DiscussionId = _id, UserId = "bob" }, As("host"));

        var comment = await Assert.ThrowsAsync<RpcException>(async () => await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "hi" }, As("bob")));
        var rejoin = await Assert.ThrowsAsync<RpcException>(async () => await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("bob")));
        await Api.UnbanUserAsync(new UnbanUserRequest { DiscussionId = _id, UserId = "bob" }, As("host"));
        var back = await Api.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = _invite }, As("bob"));

        Assert.Equal(StatusCode.PermissionDenied, comment.StatusCode);
        Assert.Equal("You were banned from this discussion.", comment.Status.Detail);
        Assert.Equal(StatusCode.PermissionDenied, rejoin.StatusCode);
        Assert.Equal(Role.Attendee, back.Role);
    }

    [Fact]
    public async Task SpeakerSeats_WhenFull_PromotionIsRefusedWithReason()
    {
        // host, cohost and speaker hold the 3 seats.
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "alice", Role = Role.Participant }, As("host")));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("SPEAKERS_FULL", RpcErrors.ReasonOf(ex));
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "speaker", Role = Role.Attendee }, As("host"));
        await Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "alice", Role = Role.Participant }, As("host"));
    }

    [Fact]
    public async Task Hands_ListInRaiseOrder_AndRaisingAgainGoesToTheBack()
    {
        await Api.RaiseHandAsync(new RaiseHandRequest { DiscussionId = _id }, As("alice"));
        await Api.RaiseHandAsync(new RaiseHandRequest { DiscussionId = _id }, As("bob"));
        await Api.LowerHandAsync(new LowerHandRequest { DiscussionId = _id }, As("alice"));
        await Api.RaiseHandAsync(new RaiseHandRequest { DiscussionId = _id }, As("alice"));

        var hands = await Api.ListRaisedHandsAsync(new ListRaisedHandsRequest { DiscussionId = _id }, As("host"));
        Assert.Equal(["bob", "alice"], hands.Hands.Select(h => h.User.UserId));
        await Api.LowerHandAsync(new LowerHandRequest { DiscussionId = _id, UserId = "bob" }, As("host"));
        Assert.Equal(["alice"], (await Api.ListRaisedHandsAsync(new ListRaisedHandsRequest { DiscussionId = _id }, As("host"))).Hands.Select(h => h.User.UserId));
    }

    public static TheoryData<string, string> InvalidComments => new()
    {
        { "   ", "text" },
        { new string('x', 2001), "text" },
        { "bell\u0007", "text" },
        { "tab\tseparated", "text" },
        { "\u200B\uFEFF", "text" },
    };

    public static TheoryData<string> DisguisedTitles => new()
    {
        "Budget \u202Efdp.exe",   // a right-to-left override: shows as "Budget exe.pdf"
        "\u200B",                 // nothing visible
        "Town\u200Bhall",          // a zero-width space hiding inside a word
        "\uFEFFTown hall",         // a byte order mark
        "Town hall\u2028Part two", // a line separator
        "Town hall\U000E0041",     // a tag character
        "Two\nlines",
    };

    [Theory]
    [MemberData(nameof(DisguisedTitles))]
    public async Task ATitleThatDisguisesItself_IsRefused_NamingTheField(string title)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = title }, As("host")));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("title", RpcErrors.DetailsOf(ex)!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task Comments_KeepWhatALanguageNeeds_LoseWhatOnlyHides_AndCloseTheDirectionTheyOpen()
    {
        var persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645";   // a zero-width non-joiner inside a word
        var family = "\U0001F468\u200D\U0001F469\u200D\U0001F467";           // an emoji sequence joined by ZWJ
        await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = persian + " " + family }, As("alice"));
        await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "hid\u200Bden\uFEFF text\r\nnext line" }, As("bob"));
        await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "\u202Eoverridden and \u2067isolated" }, As("speaker"));

        var comments = (await Api.ListCommentsAsync(new ListCommentsRequest { DiscussionId = _id }, As("host"))).Comments.Select(c => c.Text).ToList();

        Assert.Contains(persian + " " + family, comments);
        Assert.Contains("hidden text\nnext line", comments);
        // The override and the isolate are closed at the end (isolate first), so neither reaches the next comment.
        Assert.Contains("\u202Eoverridden and \u2067isolated\u2069\u202C", comments);
    }

    [Theory]
    [MemberData(nameof(InvalidComments))]
    public async Task InvalidComment_IsInvalidArgumentNamingTheField(string text, string field)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = text }, As("alice")));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(field, RpcErrors.DetailsOf(ex)!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task Comment_Of2000Characters_IncludingEmoji_IsAccepted()
    {
        var text = string.Concat(Enumerable.Repeat("🎉", 2000));

        var comment = await Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = text }, As("alice"));

        Assert.Equal(text, comment.Comment.Text);
    }

    [Fact]
    public async Task Create_WithoutTitle_NamesTheField_AndWithoutIdentity_IsUnauthenticated()
    {
        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await Api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "" }, As("host")));
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await Api.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "x" }));

        Assert.Equal("title", RpcErrors.DetailsOf(invalid)!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    private Task Do(string action, Grpc.Core.CallOptions as_) => action switch
    {
        "start" => Api.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = _id }, as_).ResponseAsync,
        "end" => Api.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = _id }, as_).ResponseAsync,
        "rotate" => Api.RotateInviteCodeAsync(new RotateInviteCodeRequest { DiscussionId = _id }, as_).ResponseAsync,
        "promote" => Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "bob", Role = Role.Participant }, as_).ResponseAsync,
        "make-cohost" => Api.ChangeRoleAsync(new ChangeRoleRequest { DiscussionId = _id, UserId = "bob", Role = Role.CoHost }, as_).ResponseAsync,
        "remove" => Api.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = _id, UserId = "bob" }, as_).ResponseAsync,
        "remove-host" => Api.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = _id, UserId = "host" }, as_).ResponseAsync,
        "ban" => Api.BanUserAsync(new BanUserRequest { DiscussionId = _id, UserId = "bob" }, as_).ResponseAsync,
        "lower-other" => Api.LowerHandAsync(new LowerHandRequest { DiscussionId = _id, UserId = "bob" }, as_).ResponseAsync,
        "comment" => Api.PostCommentAsync(new PostCommentRequest { DiscussionId = _id, Text = "hi" }, as_).ResponseAsync,
        "list-events" => Api.ListEventsAsync(new ListEventsRequest { DiscussionId = _id }, as_).ResponseAsync,
        "raise" => Api.RaiseHandAsync(new RaiseHandRequest { DiscussionId = _id }, as_).ResponseAsync,
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };
}
