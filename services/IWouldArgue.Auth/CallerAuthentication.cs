using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Auth;

/// <summary>
/// Checks the access token of every request that sends one (in the <c>authorization</c> header only; a
/// token in the URL is never read) and records the result as a <see cref="CallerFeature"/>, which
/// services read through <see cref="CallerResolver"/>. The feature lives on the request inside this
/// process, so no caller can fake it with headers. Requests without a token pass as anonymous: the
/// RPCs that need a caller answer UNAUTHENTICATED themselves.
/// </summary>
public static class CallerAuthentication
{
    /// <summary>Adds the token check to the request pipeline (before rate limits, which use its result).</summary>
    public static IApplicationBuilder UseCallerAuthentication(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization;
            if (header.Count > 0)
            {
                var validator = context.RequestServices.GetRequiredService<AccessTokenValidator>();
                context.Features.Set(await validator.CheckHeaderAsync(header.ToString(), context.RequestAborted));
            }
            await next(context);
        });

    /// <summary>The verified caller of an HTTP request, if any.</summary>
    public static Caller? VerifiedCaller(this HttpContext context) =>
        context?.Features.Get<CallerFeature>()?.Caller;
}
