using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Media.LiveKit;

/// <summary>
/// LiveKit access tokens, as LiveKit documents them: HS256 JWTs signed with the API secret's UTF-8 bytes,
/// <c>iss</c> = API key, <c>sub</c> = participant identity, <c>name</c>, and a <c>video</c> claim holding the
/// grants. Written by hand because the JWT library refuses HMAC keys under 256 bits, and LiveKit secrets
/// (the dev server's "secret") may be shorter.
/// </summary>
public sealed class LiveKitTokens(IOptions<MediaOptions> options, TimeProvider clock)
{
    private static readonly TimeSpan Leeway = TimeSpan.FromSeconds(10);
    private static readonly string Header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");

    /// <summary>
    /// A token to join <paramref name="room"/>. Speakers may publish their microphone only (no camera, no
    /// screen) and data; listeners may only subscribe.
    /// </summary>
    public (string Token, DateTimeOffset ExpiresAt) ForParticipant(string room, string identity, string name, bool canSpeak)
    {
        var expires = clock.GetUtcNow() + options.Value.TokenLifetime;
        var claims = new JsonObject
        {
            ["sub"] = identity,
            ["name"] = name,
            ["video"] = new JsonObject
            {
                ["room"] = room,
                ["roomJoin"] = true,
                ["canSubscribe"] = true,
                ["canPublish"] = canSpeak,
                ["canPublishData"] = canSpeak,
                ["canPublishSources"] = canSpeak ? new JsonArray("microphone") : new JsonArray(),
            },
        };
        return (Sign(claims, expires), expires);
    }

    /// <summary>A short token for our own calls to the server API, with the grants they need.</summary>
    public string ForServer(JsonObject videoGrant) =>
        Sign(new JsonObject { ["video"] = videoGrant }, clock.GetUtcNow() + TimeSpan.FromMinutes(5));

    /// <summary>
    /// The claims of a token signed with our secret (a webhook's), or null when the algorithm is not HS256,
    /// the signature, issuer or lifetime is wrong, or it has no expiry.
    /// </summary>
    public JsonObject? Verify(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }
        try
        {
            var header = JsonNode.Parse(Base64UrlEncoder.DecodeBytes(parts[0])) as JsonObject;
            if (header?["alg"]?.GetValue<string>() != "HS256")
            {
                return null;
            }
            var expected = Mac($"{parts[0]}.{parts[1]}");
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64UrlEncoder.DecodeBytes(parts[2])))
            {
                return null;
            }
            var claims = JsonNode.Parse(Base64UrlEncoder.DecodeBytes(parts[1])) as JsonObject;
            var now = clock.GetUtcNow();
            var issuerOk = claims?["iss"]?.GetValue<string>() == options.Value.ApiKey;
            var expiresOk = claims?["exp"] is JsonValue exp && DateTimeOffset.FromUnixTimeSeconds(exp.GetValue<long>()) + Leeway > now;
            var startedOk = claims?["nbf"] is not JsonValue nbf || DateTimeOffset.FromUnixTimeSeconds(nbf.GetValue<long>()) - Leeway <= now;
            return issuerOk && expiresOk && startedOk ? claims : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private string Sign(JsonObject claims, DateTimeOffset expires)
    {
        claims["iss"] = options.Value.ApiKey;
        claims["nbf"] = clock.GetUtcNow().ToUnixTimeSeconds();
        claims["exp"] = expires.ToUnixTimeSeconds();
        var signed = $"{Header}.{Base64UrlEncoder.Encode(claims.ToJsonString())}";
        return $"{signed}.{Base64UrlEncoder.Encode(Mac(signed))}";
    }

    private byte[] Mac(string signed) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(options.Value.ApiSecret ?? throw new InvalidOperationException("Media:ApiSecret is not set.")), Encoding.UTF8.GetBytes(signed));
}
