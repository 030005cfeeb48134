using System.Diagnostics;
using System.Security.Cryptography;
using IWouldArgue.Auth;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// What checking an access token costs the edge on every call: the first sight of a token (a full ES256
/// signature check) next to a token it has verified before (remembered until expiry), one thread each.
/// </summary>
internal static class TokenChecks
{
    public static async Task<int> RunAsync(int tokens)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var signing = new ECDsaSecurityKey(key) { KeyId = "bench" };
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var now = DateTime.UtcNow;
        var minted = Enumerable.Range(0, tokens).Select(i => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "iwouldargue", Audience = "iwouldargue-api", IssuedAt = now, NotBefore = now, Expires = now.AddMinutes(15),
            Claims = new Dictionary<string, object> { ["sub"] = $"u_{i}", ["name"] = $"User {i}" },
            SigningCredentials = new SigningCredentials(signing, "ES256"),
        })).ToArray();
        // The handler JwtBearer is given, with the rules it is given.
        var validator = new AccessTokenHandler(new Keys(signing), TimeProvider.System, NullLogger<AccessTokenHandler>.Instance);
        var rules = AccessTokenHandler.Parameters(new AuthOptions(), TimeProvider.System);

        // Warm-up on other tokens, so JIT and first-use costs fall outside both measurements.
        await validator.ValidateTokenAsync(minted[0], rules);
        var clock = Stopwatch.StartNew();
        for (var i = 1; i < minted.Length; i++)
        {
            await validator.ValidateTokenAsync(minted[i], rules);
        }
        var firstSight = (minted.Length - 1) / clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (var round = 0; round < 20; round++)
        {
            for (var i = 1; i < minted.Length; i++)
            {
                await validator.ValidateTokenAsync(minted[i], rules);
            }
        }
        var remembered = 20.0 * (minted.Length - 1) / clock.Elapsed.TotalSeconds;
        Console.WriteLine(FormattableString.Invariant($"first_sight_per_second={firstSight:F0} remembered_per_second={remembered:F0} tokens={minted.Length - 1}"));
        return 0;
    }

    private sealed class Keys(SecurityKey key) : IAccessTokenKeys
    {
        public ValueTask<IReadOnlyCollection<SecurityKey>> GetVerificationKeysAsync(string? keyId, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyCollection<SecurityKey>>([key]);
    }
}
