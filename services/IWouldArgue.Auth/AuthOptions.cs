namespace IWouldArgue.Auth;

/// <summary>How callers are authenticated, bound from the "Auth" configuration section.</summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Auth";

    /// <summary>The <c>iss</c> of access tokens. Default: "iwouldargue".</summary>
    public string Issuer { get; set; } = "iwouldargue";

    /// <summary>The <c>aud</c> of access tokens. Default: "iwouldargue-api".</summary>
    public string Audience { get; set; } = "iwouldargue-api";

    /// <summary>
    /// Where a service that does not host Identity fetches the signing keys (the Identity service's
    /// <c>/.well-known/jwks.json</c>). Unused where Identity runs in the same process.
    /// </summary>
    public Uri? JwksUrl { get; set; }

    /// <summary>How long fetched signing keys are used before fetching again. Default: 10 minutes.</summary>
    public TimeSpan JwksRefreshInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// In the mesh: the secret (base64, at least 32 bytes) the gateway signs the caller it verified with
    /// (<see cref="GatewayCallerHeader"/>), set on the gateway and every service behind it. Unset in the
    /// embedded default, where the caller never leaves the process.
    /// </summary>
    public string? GatewayKey { get; set; }

    /// <summary>
    /// Whom this process believes about who calls: the access token (the gateway, and the embedded default), or
    /// behind the gateway only its signed caller. Set by the host, not by configuration. Default: access token.
    /// </summary>
    public CallerSource Source { get; set; } = CallerSource.AccessToken;

    /// <summary>
    /// Tests and local tools only: trust the caller's own <c>iwouldargue-user-id</c> and
    /// <c>iwouldargue-user-name</c> metadata when no access token is sent. Never on a reachable host. Default: false.
    /// </summary>
    public bool TrustCallerHeaders { get; set; }
}
