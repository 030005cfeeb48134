using Google.Rpc;
using Grpc.Net.Client;
using IWouldArgue.Auth;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Identity;
using IWouldArgue.Identity.Passwords;
using IWouldArgue.Identity.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

/// <summary>Guest passes, the edge's token rules, limits and headers.</summary>
public sealed class GuestAndEdgeTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string>
    {
        ["Gateway:UserRequestsPerSecond"] = "1",
        ["Gateway:UserBurst"] = "30",
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<(CallOptions Host, Discussion Discussion)> LiveDiscussionAsync(bool guestsMayComment)
    {
        var host = Bearer((await _host.SignUpAsync("Host")).Tokens.AccessToken);
        var created = (await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Open mic", GuestsMayComment = guestsMayComment }, host)).Discussion;
        await _host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, host);
        return (host, created);
    }

    [Fact]
    public async Task Guest_JoinsByLink_AndComments_WhenTheHostAllowsIt()
    {
        var (_, discussion) = await LiveDiscussionAsync(guestsMayComment: true);

        var pass = await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Visitor" });
        var guest = Bearer(pass.Tokens.AccessToken);
        // JoinAsGuest joined: the guest comments without calling JoinDiscussion, and calling it changes nothing.
        await _host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = discussion.DiscussionId, Text = "hello from a guest" }, guest);
        var joined = await _host.Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = discussion.InviteCode }, guest);
        var people = await _host.Discussions.ListAttendeesAsync(new ListAttendeesRequest { DiscussionId = discussion.DiscussionId }, guest);
        var me = await _host.Identity.GetMeAsync(new GetMeRequest(), guest);

        Assert.Equal(discussion.DiscussionId, pass.DiscussionId);
        Assert.True(pass.User.Guest);
        Assert.Empty(pass.Tokens.RefreshToken);
        Assert.Equal(Role.Attendee, joined.Role);
        Assert.Single(people.Attendees, a => a.User.UserId == pass.User.UserId);
        Assert.True(me.User.Guest);
        Assert.Empty(me.Email);
    }

    [Fact]
    public async Task Guest_MayNotComment_WhenTheHostSaysNo()
    {
        var (_, discussion) = await LiveDiscussionAsync(guestsMayComment: false);
        var guest = Bearer((await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Visitor" })).Tokens.AccessToken);
        await _host.Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = discussion.InviteCode }, guest);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = discussion.DiscussionId, Text = "hi" }, guest));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
    }

    [Fact]
    public async Task GuestPass_IsUselessForAnotherDiscussion()
    {
        var (_, first) = await LiveDiscussionAsync(guestsMayComment: true);
        var (_, second) = await LiveDiscussionAsync(guestsMayComment: true);
        var guest = Bearer((await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = first.InviteCode, DisplayName = "Visitor" })).Tokens.AccessToken);

        var join = await Assert.ThrowsAsync<RpcException>(async () => await _host.Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = second.InviteCode }, guest));
        var get = await Assert.ThrowsAsync<RpcException>(async () => await _host.Discussions.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = second.DiscussionId }, guest));
        var create = await Assert.ThrowsAsync<RpcException>(async () => await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "mine" }, guest));
        var watch = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new LiveService.LiveServiceClient(_host.Channel).Watch(new WatchRequest { DiscussionId = second.DiscussionId }, guest);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.All([join, get, create, watch], ex => Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode));
    }

    [Fact]
    public async Task SignUps_AreLimitedPerAddress_WithRetryInfo_WhileOtherCallsGoOn()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string> { ["Gateway:SignUpsPerAddressPerHour"] = "3" });
        var first = await host.SignUpAsync();
        await host.SignUpAsync();
        await host.SignUpAsync();

        var limited = await Assert.ThrowsAsync<RpcException>(async () => await host.SignUpAsync());
        var mine = await host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Still working" }, Bearer(first.Tokens.AccessToken));

        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Equal("SIGN_UPS_LIMITED", RpcErrors.ReasonOf(limited));
        Assert.InRange(RpcErrors.DetailsOf(limited)!.GetDetail<RetryInfo>().RetryDelay.ToTimeSpan(), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.NotEmpty(mine.Discussion.DiscussionId);
    }

    [Fact]
    public async Task ABannedGuest_ComingBackFromTheSameDevice_UnderAnotherName_IsRefused_WhileAnotherDeviceGetsIn()
    {
        var (host, discussion) = await LiveDiscussionAsync(guestsMayComment: true);
        var trollsDevice = DeviceKey();
        var troll = await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Tess Troll", DeviceKey = trollsDevice });
        await _host.Discussions.BanUserAsync(new BanUserRequest { DiscussionId = discussion.DiscussionId, UserId = troll.User.UserId }, host);

        var back = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.JoinAsGuestAsync(
            new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Totally New Person", DeviceKey = trollsDevice }));
        var other = await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Olga", DeviceKey = DeviceKey() });

        Assert.Equal(StatusCode.PermissionDenied, back.StatusCode);
        Assert.Equal("BANNED", RpcErrors.ReasonOf(back));
        Assert.NotEqual(troll.User.UserId, other.User.UserId);
        // The id says nothing of the key it came from.
        Assert.DoesNotContain(trollsDevice, troll.User.UserId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGuestWhoLeavesAndComesBack_FromTheSameDevice_IsTheSameGuest_KeepingTheirComments()
    {
        var (_, discussion) = await LiveDiscussionAsync(guestsMayComment: true);
        var device = DeviceKey();
        var first = await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Gina", DeviceKey = device });
        var posted = (await _host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = discussion.DiscussionId, Text = "back soon" }, Bearer(first.Tokens.AccessToken))).Comment;
        await _host.Discussions.LeaveDiscussionAsync(new LeaveDiscussionRequest { DiscussionId = discussion.DiscussionId }, Bearer(first.Tokens.AccessToken));

        var again = await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Gina", DeviceKey = device });
        await _host.Discussions.DeleteCommentAsync(new DeleteCommentRequest { DiscussionId = discussion.DiscussionId, CommentId = posted.CommentId }, Bearer(again.Tokens.AccessToken));
        var withoutKey = await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Gina" });

        Assert.Equal(first.User.UserId, again.User.UserId);
        Assert.NotEqual(first.User.UserId, withoutKey.User.UserId);
    }

    [Theory]
    [InlineData("short")]
    [InlineData("has spaces and is long enough to pass")]
    [InlineData("ünïcödé-ünïcödé-ünïcödé-ünïcödé")]
    public async Task ADeviceKeyThatCannotBeOne_IsRefused_NamingTheField(string key)
    {
        var (_, discussion) = await LiveDiscussionAsync(guestsMayComment: true);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.JoinAsGuestAsync(
            new JoinAsGuestRequest { InviteCode = discussion.InviteCode, DisplayName = "Gina", DeviceKey = key }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal("device_key", RpcErrors.DetailsOf(ex)!.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    private static string DeviceKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_');

    [Fact]
    public async Task JoinAsGuest_WithAStaleLink_IsNotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = "no-such-code", DisplayName = "Visitor" }));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Services_RefuseCallersWithoutAToken_AndIgnoreSelfNamedHeaders()
    {
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await _host.Discussions.ListDiscussionsAsync(new ListDiscussionsRequest()));
        var selfNamed = await Assert.ThrowsAsync<RpcException>(async () => await _host.Discussions.ListDiscussionsAsync(new ListDiscussionsRequest(),
            new CallOptions(new Metadata { { CallerResolver.UserIdHeader, "admin" } })));

        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, selfNamed.StatusCode);
    }

    [Fact]
    public async Task TokenInTheQueryString_IsNotRead()
    {
        var token = (await _host.SignUpAsync()).Tokens.AccessToken;
        using var channel = GrpcChannel.ForAddress(new Uri(_host.GrpcAddress, "?access_token=" + token));

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new IdentityService.IdentityServiceClient(channel).GetMeAsync(new GetMeRequest()));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task AUserOverTheRateLimit_GetsResourceExhausted_WithARetryDelay()
    {
        var user = Bearer((await _host.SignUpAsync()).Tokens.AccessToken);
        RpcException? limited = null;
        for (var i = 0; i < 60 && limited is null; i++)
        {
            try
            {
                await _host.Identity.GetMeAsync(new GetMeRequest(), user);
            }
            catch (RpcException e)
            {
                limited = e;
            }
        }
        var someoneElse = await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer((await _host.SignUpAsync("Other")).Tokens.AccessToken));

        Assert.NotNull(limited);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.NotNull(RpcErrors.DetailsOf(limited)!.GetDetail<RetryInfo>());
        Assert.Equal("Other", someoneElse.User.DisplayName);
    }

    [Fact]
    public async Task AFloodFromOneAddress_IsCutBeforeItsTokensAreChecked()
    {
        var checks = 0;
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string>
        {
            ["Gateway:IpRequestsPerSecond"] = "1",
            ["Gateway:IpBurst"] = "10",
        }, overrides: services => services.AddSingleton<IAccessTokenKeys>(sp => new CountingKeys(sp.GetRequiredService<SigningKeyRing>(), () => Interlocked.Increment(ref checks))));
        var madeUp = Bearer("eyJhbGciOiJFUzI1NiIsImtpZCI6Im5vbmUifQ.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        var codes = new List<StatusCode>();
        for (var i = 0; i < 20; i++)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Identity.GetMeAsync(new GetMeRequest(), madeUp));
            codes.Add(ex.StatusCode);
        }

        Assert.Equal(StatusCode.Unauthenticated, codes[0]);
        Assert.Contains(StatusCode.ResourceExhausted, codes);
        Assert.Equal(codes.Count(c => c == StatusCode.Unauthenticated), Volatile.Read(ref checks));
    }

    private sealed class CountingKeys(IAccessTokenKeys inner, Action counted) : IAccessTokenKeys
    {
        public ValueTask<IReadOnlyCollection<Microsoft.IdentityModel.Tokens.SecurityKey>> GetVerificationKeysAsync(string? keyId, CancellationToken cancellationToken)
        {
            counted();
            return inner.GetVerificationKeysAsync(keyId, cancellationToken);
        }
    }

    [Fact]
    public async Task EveryResponse_CarriesTheSecurityHeaders()
    {
        using var response = await _host.Web.GetAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServiceApartFromIdentity_ChecksTokensWithTheJwksEndpoint()
    {
        var token = (await _host.SignUpAsync("Mesh")).Tokens.AccessToken;
        var options = Options.Create(new AuthOptions { JwksUrl = new Uri(_host.WebAddress, "/.well-known/jwks.json") });
        using var http = new HttpClient();
        using var keys = new JwksKeys(http, options, TimeProvider.System, NullLogger<JwksKeys>.Instance);
        var handler = new AccessTokenHandler(keys, TimeProvider.System, NullLogger<AccessTokenHandler>.Instance);
        var rules = AccessTokenHandler.Parameters(options.Value, TimeProvider.System);

        var good = await handler.ValidateTokenAsync(token, rules);
        var bad = await handler.ValidateTokenAsync(token[..^4] + "AAAA", rules);

        Assert.True(good.IsValid);
        Assert.Equal("Mesh", AccessTokenClaims.CallerOf(new System.Security.Claims.ClaimsPrincipal(good.ClaimsIdentity)).Caller?.DisplayName);
        Assert.False(bad.IsValid);
    }

    [Fact]
    public void SignInLimiter_CountsPerAccountAcrossAddresses_AndPerAddressAcrossAccounts()
    {
        using var limiter = new SignInLimiter(Options.Create(new IdentityOptions { SignInAttemptsPerMinute = 5 }));
        for (var i = 0; i < 5; i++)
        {
            limiter.Attempt($"10.0.0.{i}", "target@example.org");
        }
        for (var i = 0; i < 4; i++)
        {
            limiter.Attempt("10.9.9.9", $"user{i}@example.org");
        }

        var account = Assert.Throws<RpcException>(() => limiter.Attempt("10.1.1.1", "target@example.org"));
        limiter.Attempt("10.9.9.9", "user4@example.org");
        var address = Assert.Throws<RpcException>(() => limiter.Attempt("10.9.9.9", "fresh@example.org"));

        Assert.Contains("this account", account.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("your network", address.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Passwords_AreHashedWithArgon2idAtOwaspCost_AndOlderOrCheaperHashesAreUpgraded()
    {
        var production = new IdentityOptions().PasswordCost;
        var stored = PasswordHasher.Hash("correct horse battery", production);
        var cheaper = PasswordHasher.Hash("correct horse battery", new PasswordCost(64, 1));
        var salt = new byte[16];
        var pbkdf2 = "pbkdf2-sha256$1000$" + Convert.ToBase64String(salt) + "$"
            + Convert.ToBase64String(System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("correct horse battery"u8, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32));

        Assert.Equal(new PasswordCost(19_456, 2), production);
        Assert.StartsWith("argon2id$v=19$m=19456,t=2,p=1$", stored, StringComparison.Ordinal);
        Assert.NotEqual(stored, PasswordHasher.Hash("correct horse battery", production));
        Assert.True(PasswordHasher.Verify("correct horse battery", stored, production, out var rehash));
        Assert.False(rehash);
        Assert.False(PasswordHasher.Verify("correct horse batterY", stored, production, out _));
        Assert.True(PasswordHasher.Verify("correct horse battery", cheaper, production, out var cheaperRehash));
        Assert.True(cheaperRehash);
        Assert.True(PasswordHasher.Verify("correct horse battery", pbkdf2, production, out var pbkdf2Rehash));
        Assert.True(pbkdf2Rehash);
        Assert.False(PasswordHasher.Verify("correct horse batterY", pbkdf2, production, out _));
    }

    [Fact]
    public async Task AnAccountWithAPbkdf2Hash_SignsIn_AndIsStoredWithArgon2idFromThen()
    {
        var email = $"old.{Guid.NewGuid():N}@example.org";
        await _host.Identity.SignUpAsync(new SignUpRequest { Email = email, Password = "correct horse battery", DisplayName = "Old" });
        var store = _host.Services.GetRequiredService<IWouldArgue.Identity.Store.IdentityStore>();
        var account = (await store.FindByEmailAsync(email, default))!;
        var salt = new byte[16];
        var pbkdf2 = "pbkdf2-sha256$1000$" + Convert.ToBase64String(salt) + "$"
            + Convert.ToBase64String(System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2("correct horse battery"u8, salt, 1000, System.Security.Cryptography.HashAlgorithmName.SHA256, 32));
        await store.SetPasswordHashAsync(account.UserId, pbkdf2, default);

        await _host.Identity.SignInAsync(new SignInRequest { Email = email, Password = "correct horse battery" });

        Assert.StartsWith("argon2id$", (await store.FindByEmailAsync(email, default))!.PasswordHash, StringComparison.Ordinal);
    }
}
