using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Auth;

/// <summary>
/// Checks an access token: an ES256 JWT signed by one of Identity's keys (matched by <c>kid</c>), from our
/// issuer, for our audience, within its lifetime. Unsigned (<c>alg: none</c>), HS256 and any other
/// algorithm are refused, whatever the token claims. A token that passed is remembered until it expires
/// (up to <see cref="CacheLimit"/> tokens), so a client's every call does not pay for a signature check
/// (bench/tokens.sh measures both); refusals are not remembered, so made-up tokens cannot fill the memory.
/// </summary>
public sealed partial class AccessTokenValidator(IAccessTokenKeys keys, IOptions<AuthOptions> options, TimeProvider clock, ILogger<AccessTokenValidator> logger)
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    /// <summary>The most verified tokens remembered; past it the memory starts over.</summary>
    public const int CacheLimit = 20_000;

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, (CallerFeature Caller, DateTime Expires)> _verified = new(StringComparer.Ordinal);

    /// <summary>Checks the value of an <c>authorization</c> header ("Bearer &lt;token&gt;").</summary>
    public async Task<CallerFeature> CheckHeaderAsync(string header, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(header);
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || header.Length == scheme.Length)
        {
            return CallerFeature.Refused("The authorization metadata must be \"Bearer <access token>\".");
        }
        return await CheckAsync(header[scheme.Length..].Trim(), cancellationToken);
    }

    /// <summary>Checks an access token.</summary>
    public async Task<CallerFeature> CheckAsync(string token, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (_verified.TryGetValue(token, out var known))
        {
            if (now < known.Expires + ClockSkew)
            {
                return known.Caller;
            }
            _verified.TryRemove(token, out _);
        }
        var checkedNow = await VerifyAsync(token, now, cancellationToken);
        if (checkedNow.Feature.Caller is not null)
        {
            if (_verified.Count >= CacheLimit)
            {
                _verified.Clear();
            }
            _verified[token] = (checkedNow.Feature, checkedNow.Expires);
        }
        return checkedNow.Feature;
    }

    private async Task<(CallerFeature Feature, DateTime Expires)> VerifyAsync(string token, DateTime now, CancellationToken cancellationToken)
    {
        if (!_handler.CanReadToken(token))
        {
            return Refused("The access token is not a JWT.");
        }
        var keyId = _handler.ReadJsonWebToken(token).Kid;
        var candidates = await keys.GetVerificationKeysAsync(keyId, cancellationToken);
        var settings = options.Value;
        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            ValidAlgorithms = [AccessTokenClaims.Algorithm],
            IssuerSigningKeys = candidates,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            // Lifetime is judged by our clock (so tests can move it), with a little skew between machines.
            LifetimeValidator = (notBefore, expires, _, _) =>
                expires is { } end && now < end + ClockSkew && (notBefore is not { } start || start - ClockSkew <= now),
            ClockSkew = ClockSkew,
        });
        if (!result.IsValid)
        {
            LogRefused(logger, keyId, result.Exception);
            return result.Exception is SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException
                ? Refused("The access token has expired; refresh it or sign in again.", AuthReasons.TokenExpired)
                : Refused("The access token is not valid; sign in again.");
        }
        var jwt = (JsonWebToken)result.SecurityToken;
        if (!jwt.TryGetPayloadValue<string>(AccessTokenClaims.Subject, out var subject) || string.IsNullOrEmpty(subject))
        {
            return Refused("The access token names no user; sign in again.");
        }
        var guest = jwt.TryGetPayloadValue<bool>(AccessTokenClaims.Guest, out var isGuest) && isGuest;
        jwt.TryGetPayloadValue<string>(AccessTokenClaims.Discussion, out var scope);
        if (guest && string.IsNullOrEmpty(scope))
        {
            return Refused("The guest pass names no discussion; join by link again.");
        }
        jwt.TryGetPayloadValue<string>(AccessTokenClaims.Name, out var name);
        return (CallerFeature.Verified(new Caller(subject, string.IsNullOrWhiteSpace(name) ? subject : name, guest, guest ? scope : null)), jwt.ValidTo);
    }

    private static (CallerFeature, DateTime) Refused(string failure, string reason = AuthReasons.TokenInvalid) =>
        (CallerFeature.Refused(failure, reason), DateTime.MinValue);

    [LoggerMessage(Level = LogLevel.Information, Message = "Access token refused (kid {KeyId})")]
    private static partial void LogRefused(ILogger logger, string? keyId, Exception? reason);
}
