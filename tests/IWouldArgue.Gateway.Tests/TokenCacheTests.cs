using System.Security.Cryptography;
using IWouldArgue.Auth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using IWouldArgue.Testing;

namespace IWouldArgue.Gateway.Tests;

/// <summary>The token handler JwtBearer uses remembers tokens it verified, but never past their expiry.</summary>
public sealed class TokenCacheTests : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);

    public void Dispose() => _key.Dispose();

    [Fact]
    public async Task ARememberedToken_IsRefusedOnceItExpires()
    {
        var keys = new OneKey(new ECDsaSecurityKey(_key) { KeyId = "k1" });
        var handler = new AccessTokenHandler(keys, _clock, NullLogger<AccessTokenHandler>.Instance);
        var rules = AccessTokenHandler.Parameters(new AuthOptions(), _clock);
        var token = Sign(_clock.GetUtcNow().UtcDateTime.AddMinutes(10));

        var first = await handler.ValidateTokenAsync(token, rules);
        var second = await handler.ValidateTokenAsync(token, rules);
        var lookupsBeforeExpiry = keys.Lookups;
        _clock.Advance(TimeSpan.FromMinutes(11));
        var afterExpiry = await handler.ValidateTokenAsync(token, rules);

        Assert.True(first.IsValid);
        Assert.Equal("u_1", first.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.Same(first, second);
        Assert.Equal(1, lookupsBeforeExpiry);
        Assert.False(afterExpiry.IsValid);
        Assert.True(AccessTokenHandler.IsExpiry(afterExpiry.Exception));
    }

    private string Sign(DateTime expires) => new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "iwouldargue",
        Audience = "iwouldargue-api",
        Claims = new Dictionary<string, object> { ["sub"] = "u_1", ["name"] = "One" },
        IssuedAt = expires.AddMinutes(-15),
        NotBefore = expires.AddMinutes(-15),
        Expires = expires,
        SigningCredentials = new SigningCredentials(new ECDsaSecurityKey(_key) { KeyId = "k1" }, "ES256"),
    });

    private sealed class OneKey(SecurityKey key) : IAccessTokenKeys
    {
        public int Lookups { get; private set; }

        public ValueTask<IReadOnlyCollection<SecurityKey>> GetVerificationKeysAsync(string? keyId, CancellationToken cancellationToken)
        {
            Lookups++;
            return ValueTask.FromResult<IReadOnlyCollection<SecurityKey>>([key]);
        }
    }
}
