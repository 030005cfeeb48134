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
    /// unless its endpoint allows anonymous callers; a request that matches no endpoint is 404. Before rate
    /// limits that count per user, after whatever serves files.
    /// </summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app) =>
        app.UseAuthentication()
            // The fallback policy would ask a request that matches no endpoint for a caller too; it is simply not found.
            .Use((context, next) =>
            {
                if (context.GetEndpoint() is null)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }
                return next(context);
            })
            .UseAuthorization();

    /// <summary>The verified caller of an HTTP request, if any.</summary>
    public static Caller? VerifiedCaller(this HttpContext context) =>
        context?.Features.Get<CallerFeature>()?.Caller;
}
