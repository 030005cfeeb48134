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
}
