using IWouldArgue.Postgres;
using IWouldArgue.Sqlite;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Contracts;
using IWouldArgue.Auth;
using IWouldArgue.Identity.Api;
using IWouldArgue.Identity.Store;
using IWouldArgue.Identity.Tokens;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Identity;

/// <summary>Registers and maps the Identity service.</summary>
public static class Extensions
{
    /// <summary>The path of the JSON Web Key Set.</summary>
    public const string JwksPath = "/.well-known/jwks.json";

    /// <summary>
    /// Adds the Identity service on its store (SQLite, or PostgreSQL for several instances: Identity:Provider). Its key ring becomes the process's
    /// <see cref="IAccessTokenKeys"/>, so services hosted beside it check tokens without HTTP.
    /// Needs an <see cref="IGuestInvites"/> from the host (the Discussions service owns invite codes).
    /// </summary>
    public static IServiceCollection AddIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IdentityOptions>().Bind(configuration.GetSection(IdentityOptions.SectionName))
            .Validate(o => o.AccessTokenLifetime >= TimeSpan.FromMinutes(15) && o.AccessTokenLifetime <= TimeSpan.FromMinutes(60), "Identity:AccessTokenLifetime must be 15..60 minutes.")
            .Validate(o => o.PasswordMemoryKiB >= 8 && o.PasswordPasses >= 1, "Identity:PasswordMemoryKiB must be at least 8 and Identity:PasswordPasses at least 1.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => IdentityStore.Create(sp.GetRequiredService<IOptions<IdentityOptions>>().Value));
        services.AddSingleton<SigningKeyRing>();
        services.AddSingleton<IAccessTokenKeys>(sp => sp.GetRequiredService<SigningKeyRing>());
        services.AddCallerAuthentication(configuration);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<SignInLimiter>();
        services.AddSingleton<IdentityApi>();
        services.AddHostedService<IdentityStartup>();
        services.AddHealthCheckOnce("identity-store", sp => sp.GetRequiredService<IOptions<IdentityOptions>>().Value switch
        {
            { OnPostgres: true } options => new PostgresWritableCheck(options.ConnectionString),
            var options => new SqliteWritableCheck(options.ConnectionString),
        });
        services.MapServiceHealth(IdentityService.Descriptor.FullName, "identity-store");
        return services;
    }

    /// <summary>Maps <c>iwouldargue.v1.IdentityService</c> and the JWKS endpoint.</summary>
    public static IEndpointConventionBuilder MapIdentity(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(JwksPath, async (SigningKeyRing keys, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=300";
            return Results.Text(await keys.GetJwksJsonAsync(context.RequestAborted), "application/json");
        }).AllowAnonymous();
        return endpoints.MapGrpcService<IdentityApi>();
    }

    /// <summary>Brings the schema up to date, makes sure a signing key exists and drops expired refresh tokens.</summary>
    private sealed class IdentityStartup(IdentityStore store, SigningKeyRing keys, TimeProvider clock) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.MigrateAsync(cancellationToken);
            await keys.GetSigningCredentialsAsync(cancellationToken);
            await store.PurgeExpiredRefreshTokensAsync(clock.GetUtcNow(), cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
