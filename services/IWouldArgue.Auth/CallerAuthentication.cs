using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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
/// Finds who is calling and records it as a <see cref="CallerFeature"/>, which services read through
/// <see cref="CallerResolver"/>: from the access token in the <c>authorization</c> header (a token in the
/// URL is never read), or behind the gateway from its signed <c>iwouldargue-caller</c> metadata only. The
/// feature lives on the request inside this process, so no caller can fake it with headers. Requests
/// without a caller pass as anonymous: the RPCs that need one answer UNAUTHENTICATED themselves.
/// </summary>
public static class CallerAuthentication
{
    /// <summary>Adds the caller check to the request pipeline (before rate limits, which use its result).</summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app, CallerSource source = CallerSource.AccessToken) =>
        source == CallerSource.Gateway ? app.Use(FromGatewayAsync) : app.Use(FromAccessTokenAsync);

    private static async Task FromAccessTokenAsync(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization;
        if (header.Count > 0)
        {
            var validator = context.RequestServices.GetRequiredService<AccessTokenValidator>();
            context.Features.Set(await validator.CheckHeaderAsync(header.ToString(), context.RequestAborted));
        }
        await next(context);
    }

    private static Task FromGatewayAsync(HttpContext context, RequestDelegate next)
    {
        var vouched = context.Request.Headers[GatewayCallerHeader.Name];
        if (vouched.Count > 0)
        {
            context.Features.Set(context.RequestServices.GetRequiredService<GatewayCallerHeader>().Verify(vouched.ToString()));
        }
        return next(context);
    }

    /// <summary>The verified caller of an HTTP request, if any.</summary>
    public static Caller? VerifiedCaller(this HttpContext context) =>
        context?.Features.Get<CallerFeature>()?.Caller;
}
