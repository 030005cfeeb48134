using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Auth;

/// <summary>
/// How the gateway vouches for a caller to the services behind it in the mesh: the metadata
/// <c>iwouldargue-caller: &lt;payload&gt;.&lt;signature&gt;</c>, an HMAC-SHA256 over the caller (id, name,
/// guest, discussion scope) and a one-minute expiry, with <see cref="AuthOptions.GatewayKey"/> — a secret
/// only the gateway and the services hold. A service with the key believes this header and nothing else
/// a caller says about itself; a request straight from outside cannot make a valid one. The expiry only
/// bounds replay of a captured header: a call is checked when it starts, however long it then streams.
/// </summary>
public sealed class GatewayCallerHeader(IOptions<AuthOptions> options, TimeProvider clock)
{
    /// <summary>The metadata key.</summary>
    public const string Name = "iwouldargue-caller";

    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Whether a gateway key is configured (mesh); without one the header is ignored.</summary>
    public bool Enabled => !string.IsNullOrEmpty(options.Value.GatewayKey);

    /// <summary>
    /// The header value vouching for <paramref name="caller"/>; with <paramref name="edge"/>, also for what the gateway
    /// asks of a Watch it makes for its own fan-out (<see cref="EdgeWatch"/>), which no one outside can ask.
    /// </summary>
    public string Sign(Caller caller, string? edge = null)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new Payload(caller.UserId, caller.DisplayName, caller.Guest, caller.DiscussionScope, (clock.GetUtcNow() + Lifetime).ToUnixTimeSeconds(), edge, caller.AvatarUrl));
        return Base64UrlEncoder.Encode(payload) + "." + Base64UrlEncoder.Encode(Mac(payload));
    }

    /// <summary>The caller a header vouches for, or why it is refused.</summary>
    public CallerFeature Verify(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var dot = value.IndexOf('.', StringComparison.Ordinal);
        try
        {
            if (dot > 0)
            {
                var payload = Base64UrlEncoder.DecodeBytes(value[..dot]);
                if (CryptographicOperations.FixedTimeEquals(Mac(payload), Base64UrlEncoder.DecodeBytes(value[(dot + 1)..]))
                    && JsonSerializer.Deserialize<Payload>(payload) is { } p
                    && DateTimeOffset.FromUnixTimeSeconds(p.Exp) > clock.GetUtcNow()
                    && !string.IsNullOrEmpty(p.Sub))
                {
                    return CallerFeature.Verified(new Caller(p.Sub, p.Name ?? p.Sub, p.Guest, p.Guest ? p.Did : null, AccessTokenClaims.IsAvatarUrl(p.Pic) ? p.Pic : null), p.Edge);
                }
            }
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            // Falls through to the refusal below.
        }
        return CallerFeature.Refused("The gateway's word for who is calling could not be checked; call through the gateway.");
    }

    private byte[] Mac(byte[] payload)
    {
        var key = Convert.FromBase64String(options.Value.GatewayKey ?? throw new InvalidOperationException("Auth:GatewayKey is not set."));
        return HMACSHA256.HashData(key, payload);
    }

    private sealed record Payload(string Sub, string? Name, bool Guest, string? Did, long Exp, string? Edge = null, string? Pic = null);
}

/// <summary>What a gateway asks of the Watch calls it makes for its own fan-out (signed into the caller header).</summary>
public static class EdgeWatch
{
    /// <summary>One stream per discussion per gateway carrying every frame, for the gateway's watchers: no person, no presence.</summary>
    public const string Shared = "shared";

    /// <summary>
    /// A person's stream that catches them up (snapshot or resume), then marks the seq it reached with a heartbeat and
    /// carries nothing more: it holds their presence and ends when they are removed; the shared stream brings the events.
    /// </summary>
    public const string Presence = "presence";
}
