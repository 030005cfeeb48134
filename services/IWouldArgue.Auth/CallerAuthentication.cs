using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IWouldArgue.Auth;

/// <summary>Whom a process believes about who is calling.</summary>
public enum CallerSource
{
    /// <summary>The access token in the <c>authorization</c> header: the gateway, and the embedded default.</summary>
    AccessToken,

    /// <summary>Only the gateway's signed <c>iwouldargue-caller</c> metadata: a service behind the gateway in the mesh.</summary>
    Gateway,
}

/// <summary>The request pipeline's part of caller authentication (see <see cref="CallerAuthenticationHandler"/>).</summary>
public static class CallerAuthentication
{
    /// <summary>
    /// Authenticates every request and applies the authorization policies: a call without a caller is refused
    /// unless its endpoint allows anonymous callers. Before rate limits that count per user.
    /// </summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app) =>
        app.UseAuthentication().UseAuthorization();

    /// <summary>The verified caller of an HTTP request, if any.</summary>
    public static Caller? VerifiedCaller(this HttpContext context) =>
        context?.Features.Get<CallerFeature>()?.Caller;
}
