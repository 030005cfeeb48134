using System.Security.Cryptography;
using IWouldArgue.Auth;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Identity.Tokens;

/// <summary>Makes access tokens (ES256 JWTs with the active key's <c>kid</c>) and opaque refresh tokens.</summary>
public sealed class TokenIssuer(SigningKeyRing keys, IOptions<AuthOptions> auth, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <summary>An access token for <paramref name="caller"/>, accepted for <paramref name="lifetime"/>.</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> IssueAccessTokenAsync(Caller caller, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var now = clock.GetUtcNow();
        var expires = now + lifetime;
        var claims = new Dictionary<string, object>
        {
            [AccessTokenClaims.Subject] = caller.UserId,
            [AccessTokenClaims.Name] = caller.DisplayName,
        };
        if (caller.AvatarUrl is { } picture)
        {
            claims[AccessTokenClaims.Picture] = picture;
        }
        if (caller.Guest)
        {
            claims[AccessTokenClaims.Guest] = true;
            claims[AccessTokenClaims.Discussion] = caller.DiscussionScope ?? throw new ArgumentException("A guest pass needs a discussion.", nameof(caller));
        }
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Value.Issuer,
            Audience = auth.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = claims,
            SigningCredentials = await keys.GetSigningCredentialsAsync(cancellationToken),
        });
        return (token, expires);
    }

    /// <summary>A new refresh token (256 random bits, URL-safe) and the hash that is stored instead of it.</summary>
    public static (string Token, byte[] Hash) NewRefreshToken()
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (token, HashOf(token));
    }

    /// <summary>The stored form of a refresh token.</summary>
    public static byte[] HashOf(string refreshToken) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(refreshToken));
}
