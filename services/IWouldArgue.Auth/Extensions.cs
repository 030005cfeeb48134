using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Auth;

/// <summary>Registers caller authentication.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds caller authentication (<see cref="CallerAuthentication"/>: JwtBearer with <see cref="AccessTokenHandler"/> for
    /// access tokens, <see cref="CallerHeaderHandler"/> for the gateway's signed caller), the policy that every endpoint
    /// needs a caller unless it allows anonymous ones, and the caller resolver. The keys come from whatever registered
    /// <see cref="IAccessTokenKeys"/> first (Identity, when it runs in the process), else from Identity's JWKS.
    /// </summary>
    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CallerResolver>();
        services.TryAddSingleton<AccessTokenHandler>();
        services.TryAddSingleton<GatewayCallerHeader>();
        services.AddHttpClient(nameof(JwksKeys));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<JwksKeys>(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(JwksKeys))));
        services.TryAddSingleton<IAccessTokenKeys>(sp => sp.GetRequiredService<JwksKeys>());
        if (services.Any(d => d.ServiceType == typeof(CallerHeaderHandler)))
        {
            return services;
        }
        services.AddAuthentication(CallerAuthentication.Scheme)
            .AddPolicyScheme(CallerAuthentication.Scheme, null, o => o.ForwardDefaultSelector = context =>
                CallerAuthentication.SchemeFor(context, context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value))
            .AddJwtBearer()
            .AddScheme<AuthenticationSchemeOptions, CallerHeaderHandler>(CallerHeaderHandler.SchemeName, null);
        services.AddSingleton<IConfigureOptions<JwtBearerOptions>, ConfigureAccessTokens>();
        // Secure by default: every endpoint needs a caller unless it says [AllowAnonymous] (or .AllowAnonymous()).
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder(CallerAuthentication.Scheme).RequireAuthenticatedUser().Build());
        return services;
    }

    // JwtBearer for our access tokens: our handler (keys by kid, the cache), our rules, no metadata to discover, and what
    // it concludes kept as the CallerFeature services read, with our refusals (UNAUTHENTICATED with a reason).
    private sealed class ConfigureAccessTokens(AccessTokenHandler handler, IOptions<AuthOptions> auth, TimeProvider clock) : IConfigureNamedOptions<JwtBearerOptions>
    {
        public void Configure(string? name, JwtBearerOptions options)
        {
            if (name == JwtBearerDefaults.AuthenticationScheme)
            {
                Configure(options);
            }
        }

        public void Configure(JwtBearerOptions options)
        {
            options.MapInboundClaims = false;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(handler);
            options.TokenValidationParameters = AccessTokenHandler.Parameters(auth.Value, clock);
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    // Only "authorization: Bearer <token>"; anything else in that header is refused, not ignored.
                    var header = context.Request.Headers.Authorization.ToString();
                    if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length == "Bearer ".Length)
                    {
                        context.HttpContext.Features.Set(CallerFeature.Refused("The authorization metadata must be \"Bearer <access token>\"."));
                        context.Fail("Not a bearer token.");
                    }
                    return Task.CompletedTask;
                },
                OnTokenValidated = context =>
                {
                    var (caller, failure) = AccessTokenClaims.CallerOf(context.Principal!);
                    if (caller is null)
                    {
                        context.HttpContext.Features.Set(CallerFeature.Refused(failure!));
                        context.Fail(failure!);
                    }
                    else
                    {
                        context.HttpContext.Features.Set(CallerFeature.Verified(caller));
                    }
                    return Task.CompletedTask;
                },
                OnAuthenticationFailed = context =>
                {
                    if (context.HttpContext.Features.Get<CallerFeature>() is null)
                    {
                        context.HttpContext.Features.Set(AccessTokenHandler.IsExpiry(context.Exception)
                            ? CallerFeature.Refused("The access token has expired; refresh it or sign in again.", AuthReasons.TokenExpired)
                            : CallerFeature.Refused("The access token is not valid; sign in again."));
                    }
                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await CallerAuthentication.RefuseAsync(context.HttpContext);
                },
            };
        }
    }
}
