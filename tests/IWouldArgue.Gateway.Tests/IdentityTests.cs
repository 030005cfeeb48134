using Google.Rpc;
using System.Security.Cryptography;
using System.Text;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Identity.Tokens;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

/// <summary>Accounts, sessions and tokens through the gateway over real HTTP/2.</summary>
public sealed class IdentityTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SignUp_ThenTheAccessTokenIdentifiesTheCaller()
    {
        var signedUp = await _host.SignUpAsync("Grace");

        var me = await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer(signedUp.Tokens.AccessToken));

        Assert.Equal(signedUp.User.UserId, me.User.UserId);
        Assert.Equal("Grace", me.User.DisplayName);
        Assert.StartsWith("grace.", me.Email, StringComparison.Ordinal);
        var lifetime = signedUp.Tokens.AccessTokenExpiresAt.ToDateTimeOffset() - DateTimeOffset.UtcNow;
        Assert.InRange(lifetime, TimeSpan.FromMinutes(14), TimeSpan.FromMinutes(15));
    }

    [Fact]
    public async Task SignIn_IgnoresEmailCase_AndRefusesAWrongPassword()
    {
        await _host.Identity.SignUpAsync(new SignUpRequest { Email = "Mixed.Case@Example.org", Password = "correct horse battery", DisplayName = "M" });

        var signedIn = await _host.Identity.SignInAsync(new SignInRequest { Email = "  mixed.case@example.ORG ", Password = "correct horse battery" });
        var wrong = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.SignInAsync(new SignInRequest { Email = "mixed.case@example.org", Password = "wrong horse battery" }));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.SignInAsync(new SignInRequest { Email = "nobody@example.org", Password = "correct horse battery" }));

        Assert.NotEmpty(signedIn.Tokens.AccessToken);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Equal(wrong.Status.Detail, unknown.Status.Detail);
    }

    [Fact]
    public async Task SignUp_WithATakenEmail_IsAlreadyExists()
    {
        await _host.Identity.SignUpAsync(new SignUpRequest { Email = "taken@example.org", Password = "correct horse battery", DisplayName = "A" });

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.SignUpAsync(new SignUpRequest { Email = "TAKEN@example.org", Password = "another good phrase", DisplayName = "B" }));

        Assert.Equal(StatusCode.AlreadyExists, ex.StatusCode);
    }

    [Theory]
    [InlineData("not-an-email", "correct horse battery", "Ann", "email")]
    [InlineData("ann@example.org", "short", "Ann", "password")]
    [InlineData("ann@example.org", "Password123", "Ann", "password")]
    [InlineData("ann@example.org", "qwertyuiop", "Ann", "password")]
    [InlineData("ann@example.org", "aaaaaaaaaaaa", "Ann", "password")]
    [InlineData("annabelle@example.org", "annabelle-2024!", "Ann", "password")]
    [InlineData("ann@example.org", "correct horse battery", "", "display_name")]
    [InlineData("ann@example.org", "correct horse battery", "bell\u0007", "display_name")]
    [InlineData("ann@example.org", "correct horse battery", "\u200B", "display_name")]
    [InlineData("ann@example.org", "correct horse battery", "Admin\u202E", "display_name")]
    [InlineData("ann@example.org", "correct horse battery", "\uFEFFAnn", "display_name")]
    [InlineData("ann@example.org", "correct horse battery", "Ann\u2028Bob", "display_name")]
    public async Task SignUp_WithBadInput_NamesTheField(string email, string password, string name, string field)
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.SignUpAsync(new SignUpRequest { Email = email, Password = password, DisplayName = name }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var violation = RpcErrors.DetailsOf(ex)!.GetDetail<BadRequest>().FieldViolations.Single();
        Assert.Equal(field, violation.Field);
    }

    [Fact]
    public async Task Refresh_RotatesTheToken_AndReusingAnOldOneRevokesTheWholeSignIn()
    {
        var first = (await _host.SignUpAsync()).Tokens;

        var second = (await _host.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = first.RefreshToken })).Tokens;
        var reuse = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = first.RefreshToken }));
        var successorAfterReuse = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = second.RefreshToken }));

        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.Equal(StatusCode.Unauthenticated, reuse.StatusCode);
        Assert.Contains("used again", reuse.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, successorAfterReuse.StatusCode);
    }

    [Fact]
    public async Task Refresh_RacingWithTheSameToken_SucceedsOnce()
    {
        var tokens = (await _host.SignUpAsync()).Tokens;

        var attempts = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            try
            {
                await _host.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = tokens.RefreshToken });
                return true;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unauthenticated)
            {
                return false;
            }
        }));

        Assert.Single(attempts, succeeded => succeeded);
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        var tokens = (await _host.SignUpAsync()).Tokens;

        await _host.Identity.SignOutAsync(new SignOutRequest { RefreshToken = tokens.RefreshToken });
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = tokens.RefreshToken }));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task SignIn_IsLimitedToFiveAttemptsAMinute()
    {
        await _host.Identity.SignUpAsync(new SignUpRequest { Email = "limited@example.org", Password = "correct horse battery", DisplayName = "L" });
        for (var i = 0; i < 5; i++)
        {
            var wrong = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.SignInAsync(new SignInRequest { Email = "limited@example.org", Password = "wrong guess " + i }));
            Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        }

        var limited = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.SignInAsync(new SignInRequest { Email = "limited@example.org", Password = "correct horse battery" }));

        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        var retry = RpcErrors.DetailsOf(limited)!.GetDetail<RetryInfo>();
        Assert.InRange(retry.RetryDelay.ToTimeSpan(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task ExpiredForgedAndUnsignedTokens_AreRefused()
    {
        var good = (await _host.SignUpAsync()).Tokens.AccessToken;
        var keys = _host.Services.GetRequiredService<SigningKeyRing>();
        var credentials = await keys.GetSigningCredentialsAsync(CancellationToken.None);
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var subject = new Dictionary<string, object> { ["sub"] = "u_someone", ["name"] = "Someone" };
        string Sign(SigningCredentials signing, DateTime expires) => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "iwouldargue", Audience = "iwouldargue-api", Claims = subject,
            IssuedAt = expires.AddMinutes(-15), NotBefore = expires.AddMinutes(-15), Expires = expires, SigningCredentials = signing,
        });
        using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var impostor = new SigningCredentials(new ECDsaSecurityKey(otherKey) { KeyId = credentials.Key.KeyId }, "ES256");
        var hmac = new SigningCredentials(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = credentials.Key.KeyId }, "HS256");
        var parts = good.Split('.');
        var unsigned = $"{Base64UrlEncoder.Encode("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + credentials.Key.KeyId + "\"}")}.{parts[1]}.";
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"name\":\"Ada\"", "\"name\":\"Admin\"", StringComparison.Ordinal))}.{parts[2]}";

        var refused = new Dictionary<string, string>
        {
            ["expired"] = Sign(credentials, DateTime.UtcNow.AddMinutes(-2)),
            ["other key, same kid"] = Sign(impostor, DateTime.UtcNow.AddMinutes(10)),
            ["HS256"] = Sign(hmac, DateTime.UtcNow.AddMinutes(10)),
            ["alg none"] = unsigned,
            ["tampered payload"] = tampered,
            ["not a JWT"] = "hello",
        };
        await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer(good));
        foreach (var (kind, token) in refused)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer(token)));
            Assert.True(ex.StatusCode == StatusCode.Unauthenticated, $"{kind}: {ex.StatusCode}");
            // google.rpc.ErrorInfo tells a client whether refreshing helps (expired) or only signing in again does.
            Assert.Equal(kind == "expired" ? "TOKEN_EXPIRED" : "TOKEN_INVALID", RpcErrors.ReasonOf(ex));
        }
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await _host.Identity.GetMeAsync(new GetMeRequest()));
        Assert.Equal("TOKEN_MISSING", RpcErrors.ReasonOf(missing));
        Assert.Equal(RpcErrors.Domain, RpcErrors.DetailsOf(missing)!.GetDetail<ErrorInfo>().Domain);
    }

    [Fact]
    public async Task TokensSignedBeforeAKeyRotation_StillWork_AndNewOnesUseTheNewKey()
    {
        var before = (await _host.SignUpAsync()).Tokens.AccessToken;
        var keys = _host.Services.GetRequiredService<SigningKeyRing>();

        await keys.RotateAsync(CancellationToken.None);
        var after = (await _host.SignUpAsync()).Tokens.AccessToken;
        var jwks = await _host.Web.GetStringAsync(new Uri("/.well-known/jwks.json", UriKind.Relative));

        await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer(before));
        await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer(after));
        var (oldKid, newKid) = (new JsonWebToken(before).Kid, new JsonWebToken(after).Kid);
        Assert.NotEqual(oldKid, newKid);
        Assert.Contains(oldKid, jwks, StringComparison.Ordinal);
        Assert.Contains(newKid, jwks, StringComparison.Ordinal);
        Assert.DoesNotContain("\"d\"", jwks, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningKeysAndSessions_SurviveARestart()
    {
        var folder = Directory.CreateTempSubdirectory("iwouldargue-restart-").FullName;
        try
        {
            SignUpResponse signedUp;
            await using (var first = await GatewayHost.StartAsync(dataFolder: folder))
            {
                signedUp = await first.SignUpAsync();
            }
            await using var second = await GatewayHost.StartAsync(dataFolder: folder);

            var me = await second.Identity.GetMeAsync(new GetMeRequest(), Bearer(signedUp.Tokens.AccessToken));
            var refreshed = await second.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = signedUp.Tokens.RefreshToken });

            Assert.Equal(signedUp.User.UserId, me.User.UserId);
            Assert.NotEmpty(refreshed.Tokens.AccessToken);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
