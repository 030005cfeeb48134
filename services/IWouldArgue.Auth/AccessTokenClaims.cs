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
        return (new Caller(subject, string.IsNullOrWhiteSpace(name) ? subject : name, guest, guest ? scope : null), null);
    }
}
