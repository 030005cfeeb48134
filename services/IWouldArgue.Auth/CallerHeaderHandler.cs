using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Auth;

/// <summary>
/// The scheme for a caller not named by an access token: behind the gateway, only the gateway's signed
/// <c>iwouldargue-caller</c> metadata is believed (<see cref="GatewayCallerHeader"/>); in tests and local tools with
/// <see cref="AuthOptions.TrustCallerHeaders"/>, the caller's own id and name metadata. Without either there is no
/// caller, and a call that needs one is refused with UNAUTHENTICATED TOKEN_MISSING (<see cref="CallerAuthentication"/>).
/// Access tokens are JwtBearer's (<see cref="AccessTokenHandler"/>); <see cref="CallerAuthentication.Scheme"/> picks.
/// </summary>
public sealed class CallerHeaderHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    GatewayCallerHeader gateway) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "CallerHeader";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var options = auth.Value;
        var vouched = Request.Headers[GatewayCallerHeader.Name];
        var feature = options.Source == CallerSource.Gateway && vouched.Count > 0
            ? gateway.Verify(vouched.ToString())
            : CallerResolver.FromTrustedHeaders(Request, options) is { } trusted ? CallerFeature.Verified(trusted) : null;
        if (feature is null)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        Context.Features.Set(feature);
        return Task.FromResult(feature.Caller is { } caller
            ? AuthenticateResult.Success(new AuthenticationTicket(Principal(caller), SchemeName))
            : AuthenticateResult.Fail(feature.Failure ?? "The caller could not be verified."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => CallerAuthentication.RefuseAsync(Context);

    private static ClaimsPrincipal Principal(Caller caller)
    {
        var claims = new List<Claim> { new(AccessTokenClaims.Subject, caller.UserId), new(AccessTokenClaims.Name, caller.DisplayName) };
        if (caller.Guest)
        {
            claims.Add(new Claim(AccessTokenClaims.Guest, "true"));
            claims.Add(new Claim(AccessTokenClaims.Discussion, caller.DiscussionScope ?? ""));
        }
        if (caller.AvatarUrl is { } picture)
        {
            claims.Add(new Claim(AccessTokenClaims.Picture, picture));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, AccessTokenClaims.Name, null));
    }
}
