using System.Security.Claims;

namespace IWouldArgue.Auth;

/// <summary>The claims an IWouldArgue access token carries besides iss, aud, iat, nbf and exp.</summary>
public static class AccessTokenClaims
{
    /// <summary>The user id (a guest's id for guests).</summary>
    public const string Subject = "sub";

    /// <summary>The display name.</summary>
    public const string Name = "name";

    /// <summary>True on a guest pass.</summary>
    public const string Guest = "guest";

    /// <summary>The one discussion a guest pass is good for.</summary>
    public const string Discussion = "discussion_id";

    /// <summary>Where an account's profile picture is (OpenID Connect's claim for it); absent when there is none.</summary>
    public const string Picture = "picture";

    /// <summary>The path profile pictures are served under, before the content's SHA-256 in lower-case hex.</summary>
    public const string AvatarPathPrefix = "/attachments/avatars/";

    /// <summary>The signing algorithm: ECDSA P-256 with SHA-256. Nothing else is accepted.</summary>
    public const string Algorithm = "ES256";

    /// <summary>The caller a validated token names, or why it names none (no user; a guest pass without its discussion).</summary>
    public static (Caller? Caller, string? Failure) CallerOf(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        var subject = principal.FindFirstValue(Subject);
        if (string.IsNullOrEmpty(subject))
        {
            return (null, "The access token names no user; sign in again.");
        }
        var guest = string.Equals(principal.FindFirstValue(Guest), "true", StringComparison.OrdinalIgnoreCase);
        var scope = principal.FindFirstValue(Discussion);
        if (guest && string.IsNullOrEmpty(scope))
        {
            return (null, "The guest pass names no discussion; join by link again.");
        }
        var name = principal.FindFirstValue(Name);
        var picture = principal.FindFirstValue(Picture);
        return (new Caller(subject, string.IsNullOrWhiteSpace(name) ? subject : name, guest, guest ? scope : null, IsAvatarUrl(picture) && !guest ? picture : null), null);
    }

    /// <summary>
    /// Whether <paramref name="value"/> is where a profile picture is served: our own path and a content hash, never
    /// an address elsewhere (which would let a picture track who looks at it).
    /// </summary>
    public static bool IsAvatarUrl(string? value) =>
        value is not null && value.StartsWith(AvatarPathPrefix, StringComparison.Ordinal) && IsContentHash(value.AsSpan(AvatarPathPrefix.Length));

    /// <summary>Whether <paramref name="value"/> is a SHA-256 as pictures are named by: 64 lower-case hex digits.</summary>
    public static bool IsContentHash(ReadOnlySpan<char> value) => value.Length == 64 && value.IndexOfAnyExcept(LowerHex) < 0;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");
}
