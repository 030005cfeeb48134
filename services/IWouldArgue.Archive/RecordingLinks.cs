using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IWouldArgue.Auth;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Archive;

/// <summary>
/// Short-lived links to one discussion's recording, for the browser's audio player, which cannot send an
/// Authorization header but streams with range requests. A link carries a ticket — not the access token:
/// it names the discussion, the person and an expiry, and is signed with HMAC-SHA256. It opens that one
/// recording only, for 4 hours: a player asks again with every seek, and the longest recording is 3 hours. The key is derived from <c>Auth:GatewayKey</c>, which every
/// service of a mesh shares, so any instance honours any instance's links; without one (the embedded
/// default, one process) it is random per process.
/// </summary>
public sealed class RecordingLinks(IOptions<AuthOptions> auth, TimeProvider clock)
{
    /// <summary>How long a link may be used.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(4);

    private readonly byte[] _key = auth.Value.GatewayKey is { Length: > 0 } shared
        ? HKDF.DeriveKey(HashAlgorithmName.SHA256, Convert.FromBase64String(shared), 32, info: "iwouldargue recording links"u8.ToArray())
        : RandomNumberGenerator.GetBytes(32);

    /// <summary>A ticket for <paramref name="caller"/> to play <paramref name="discussionId"/>'s recording.</summary>
    public string Issue(Caller caller, string discussionId)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var expires = (clock.GetUtcNow() + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = Encoding.UTF8.GetBytes(string.Join('\n', discussionId, caller.UserId, caller.Guest ? "guest" : "account", expires));
        return $"{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(HMACSHA256.HashData(_key, payload))}";
    }

    /// <summary>The caller a ticket was issued to, if it is genuine, unexpired and for <paramref name="discussionId"/>; null otherwise.</summary>
    public Caller? Verify(string? ticket, string discussionId)
    {
        var dot = ticket?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0)
        {
            return null;
        }
        byte[] payload, signature;
        try
        {
            payload = Base64Url.DecodeFromChars(ticket!.AsSpan(0, dot));
            signature = Base64Url.DecodeFromChars(ticket.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(signature, HMACSHA256.HashData(_key, payload)))
        {
            return null;
        }
        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        return parts.Length == 4
            && parts[0] == discussionId
            && long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && clock.GetUtcNow().ToUnixTimeSeconds() < expires
            ? new Caller(parts[1], "", Guest: parts[2] == "guest", DiscussionScope: discussionId)
            : null;
    }
}
