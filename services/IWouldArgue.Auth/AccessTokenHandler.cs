using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Auth;

/// <summary>
/// The token handler JwtBearer validates access tokens with: Microsoft's <see cref="JsonWebTokenHandler"/>, given the
/// keys that may have signed each token (matched by <c>kid</c>; a key id not seen yet makes <see cref="IAccessTokenKeys"/>
/// fetch Identity's JWKS again, so a rotation costs no refused call), and remembering each token that passed until it
/// expires (up to <see cref="CacheLimit"/> tokens), so a client's every call does not pay for an ECDSA check
/// (bench/tokens.sh measures both). Refusals are not remembered, so made-up tokens cannot fill the memory. What a valid
/// token must be (ES256 only, our issuer and audience, within its lifetime by <see cref="TimeProvider"/>) is
/// <see cref="Parameters"/>.
/// </summary>
public sealed partial class AccessTokenHandler : JsonWebTokenHandler
{
    /// <summary>The most verified tokens remembered; past it the memory starts over.</summary>
    public const int CacheLimit = 20_000;

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private readonly IAccessTokenKeys _keys;
    private readonly TimeProvider _clock;
    private readonly ILogger<AccessTokenHandler> _logger;
    private readonly ConcurrentDictionary<string, (TokenValidationResult Result, DateTime Expires)> _verified = new(StringComparer.Ordinal);

    /// <summary>A handler checking tokens against <paramref name="keys"/>, judging lifetimes by <paramref name="clock"/>.</summary>
    public AccessTokenHandler(IAccessTokenKeys keys, TimeProvider clock, ILogger<AccessTokenHandler> logger)
    {
        (_keys, _clock, _logger) = (keys, clock, logger);
        MapInboundClaims = false;
    }

    /// <summary>What an access token must be to pass: the rules given to JwtBearer.</summary>
    public static TokenValidationParameters Parameters(AuthOptions settings, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(clock);
        return new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidAlgorithms = [AccessTokenClaims.Algorithm],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            // Lifetime is judged by our clock (so tests can move it), with a little skew between machines.
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return expires is { } end && now < end + ClockSkew && (notBefore is not { } start || start - ClockSkew <= now);
            },
            ClockSkew = ClockSkew,
            NameClaimType = AccessTokenClaims.Name,
        };
    }

    /// <summary>Whether a refusal was only the token's time being up (the client should refresh it, not sign in again).</summary>
    public static bool IsExpiry(Exception? failure) => failure is SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var now = _clock.GetUtcNow().UtcDateTime;
        if (_verified.TryGetValue(token, out var known))
        {
            if (now < known.Expires + ClockSkew)
            {
                return known.Result;
            }
            _verified.TryRemove(token, out _);
        }
        if (!CanReadToken(token))
        {
            return new TokenValidationResult { IsValid = false, Exception = new SecurityTokenMalformedException("The access token is not a JWT.") };
        }
        var keyId = ReadJsonWebToken(token).Kid;
        var withKeys = validationParameters.Clone();
        withKeys.IssuerSigningKeys = await _keys.GetVerificationKeysAsync(keyId, CancellationToken.None);
        var result = await base.ValidateTokenAsync(token, withKeys);
        if (!result.IsValid)
        {
            LogRefused(_logger, keyId, result.Exception);
            return result;
        }
        if (_verified.Count >= CacheLimit)
        {
            _verified.Clear();
        }
        _verified[token] = (result, ((JsonWebToken)result.SecurityToken).ValidTo);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token refused (kid {KeyId})")]
    private static partial void LogRefused(ILogger logger, string? keyId, Exception? reason);
}
