using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IWouldArgue.Auth;

/// <summary>Registers caller authentication.</summary>
public static class Extensions
{
    /// <summary>
    /// Adds caller authentication (the <see cref="CallerAuthenticationHandler"/> scheme), the policy that every
    /// endpoint needs a caller unless it allows anonymous ones, the caller resolver and the access-token validator. The keys come from whatever registered
    /// <see cref="IAccessTokenKeys"/> first (Identity, when it runs in the process), else from Identity's JWKS.
    /// </summary>
    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.SectionName));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<CallerResolver>();
        services.TryAddSingleton<AccessTokenValidator>();
        services.TryAddSingleton<GatewayCallerHeader>();
        services.AddHttpClient(nameof(JwksKeys));
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<JwksKeys>(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(JwksKeys))));
        services.TryAddSingleton<IAccessTokenKeys>(sp => sp.GetRequiredService<JwksKeys>());
        if (!services.Any(d => d.ServiceType == typeof(CallerAuthenticationHandler)))
        {
            services.AddAuthentication(CallerAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, CallerAuthenticationHandler>(CallerAuthenticationHandler.SchemeName, null);
            // Secure by default: every endpoint needs a caller unless it says [AllowAnonymous] (or .AllowAnonymous()).
            services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder(CallerAuthenticationHandler.SchemeName).RequireAuthenticatedUser().Build());
        }
        return services;
    }
}
