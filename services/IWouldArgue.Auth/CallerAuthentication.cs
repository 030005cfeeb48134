using Grpc.Core;
using IWouldArgue.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
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

/// <summary>
/// Caller authentication the ASP.NET Core way: the default scheme <see cref="Scheme"/> is a policy scheme that hands
/// each request to JwtBearer when it carries an access token (and this process believes access tokens), else to
/// <see cref="CallerHeaderHandler"/>. Either way the caller is also kept as a <see cref="CallerFeature"/>, which
/// services read through <see cref="CallerResolver"/>; the fallback authorization policy refuses every call without a
/// caller unless its endpoint allows anonymous callers by name. A token in the URL is never read.
/// </summary>
public static class CallerAuthentication
{
    /// <summary>The default scheme (a policy scheme) and the one the fallback policy asks.</summary>
    public const string Scheme = "Caller";

    /// <summary>The scheme a request goes to: JwtBearer for an access token, else the caller header.</summary>
    public static string SchemeFor(HttpContext context, AuthOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(options);
        return options.Source == CallerSource.AccessToken && context.Request.Headers.Authorization.Count > 0
            ? JwtBearerDefaults.AuthenticationScheme
            : CallerHeaderHandler.SchemeName;
    }

    /// <summary>
    /// Refuses a request that needed a caller: a gRPC call with UNAUTHENTICATED, a sentence and the reason
    /// (TOKEN_MISSING, TOKEN_EXPIRED, TOKEN_INVALID), any other request with 401 and the sentence.
    /// </summary>
    public static async Task RefuseAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var refused = context.Features.Get<CallerFeature>();
        var message = refused?.Failure ?? AuthReasons.SignInFirst;
        if (!await context.TryRespondWithRpcErrorAsync(RpcErrors.Of(StatusCode.Unauthenticated, message, refused?.Reason ?? AuthReasons.TokenMissing)))
        {
            await HttpErrors.Of(StatusCodes.Status401Unauthorized, message).ExecuteAsync(context);
        }
    }

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
