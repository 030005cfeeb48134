using System.Security.Claims;
using System.Text.Encodings.Web;
using Grpc.Core;
using IWouldArgue.Contracts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Auth;

/// <summary>
/// ASP.NET Core authentication for the product's callers, one scheme for both ways a process learns who calls
/// (<see cref="AuthOptions.Source"/>): the access token in the <c>authorization</c> header, checked against the
/// signing keys with <see cref="AccessTokenValidator"/> (its cache of tokens already seen included), or, behind the
/// gateway, only the gateway's signed <c>iwouldargue-caller</c> metadata. A token in the URL is never read. The
/// result is also kept as a <see cref="CallerFeature"/>, which services read through <see cref="CallerResolver"/>.
/// The fallback authorization policy (<see cref="Extensions.AddCallerAuthentication"/>) then refuses every call
/// without a caller unless its endpoint allows anonymous callers by name.
/// </summary>
public sealed class CallerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<AuthOptions> auth,
    AccessTokenValidator tokens,
    GatewayCallerHeader gateway) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "Caller";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var feature = await FindAsync();
        if (feature is null)
        {
            return AuthenticateResult.NoResult();
        }
        Context.Features.Set(feature);
        return feature.Caller is { } caller
            ? AuthenticateResult.Success(new AuthenticationTicket(Principal(caller), SchemeName))
            : AuthenticateResult.Fail(feature.Failure ?? "The caller could not be verified.");
    }

    // A gRPC call is refused with UNAUTHENTICATED and a sentence, as the service would; any other request with 401.
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refused = Context.Features.Get<CallerFeature>();
        var message = refused?.Failure ?? AuthReasons.SignInFirst;
        if (!await Context.TryRespondWithRpcErrorAsync(RpcErrors.Of(StatusCode.Unauthenticated, message, refused?.Reason ?? AuthReasons.TokenMissing)))
        {
            await HttpErrors.Of(StatusCodes.Status401Unauthorized, message).ExecuteAsync(Context);
        }
    }

    private async Task<CallerFeature?> FindAsync()
    {
        var options = auth.Value;
        if (options.Source == CallerSource.Gateway)
        {
            var vouched = Request.Headers[GatewayCallerHeader.Name];
            return vouched.Count > 0 ? gateway.Verify(vouched.ToString()) : TrustedHeaders(options);
        }
        var header = Request.Headers.Authorization;
        return header.Count > 0 ? await tokens.CheckHeaderAsync(header.ToString(), Context.RequestAborted) : TrustedHeaders(options);
    }

    private CallerFeature? TrustedHeaders(AuthOptions options) =>
        CallerResolver.FromTrustedHeaders(Request, options) is { } caller ? CallerFeature.Verified(caller) : null;

    private static ClaimsPrincipal Principal(Caller caller)
    {
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, caller.UserId), new(ClaimTypes.Name, caller.DisplayName) };
        if (caller.Guest)
        {
            claims.Add(new Claim("guest", caller.DiscussionScope ?? ""));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
    }
}
