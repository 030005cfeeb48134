using System.Security.Cryptography;
using System.Text.Json;
using IWouldArgue.Auth;
using IWouldArgue.Identity.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Identity.Tokens;

/// <summary>
/// Identity's signing keys (ECDSA P-256), kept in its store so tokens survive restarts and every Identity
/// instance signs with the same keys. One key is active; a new one replaces it every
/// <see cref="IdentityOptions.KeyRotationInterval"/> (or on <see cref="RotateAsync"/>). A retired key stays
/// published in the JWKS until the last token it signed has expired, then it is deleted. The ring re-reads
/// the store every minute, so a rotation by another instance is seen.
/// </summary>
/// <remarks>Private keys are stored unencrypted in the Identity database: keep that file on an encrypted volume.</remarks>
public sealed partial class SigningKeyRing(IdentityStore store, IOptions<IdentityOptions> options, TimeProvider clock, ILogger<SigningKeyRing> logger) : IAccessTokenKeys, IDisposable
{
    private static readonly TimeSpan Reload = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private Ring? _ring;

    /// <summary>The credentials of the active key.</summary>
    public async Task<SigningCredentials> GetSigningCredentialsAsync(CancellationToken cancellationToken) =>
        (await CurrentAsync(cancellationToken)).Active ?? throw new InvalidOperationException("The signing key ring has no active key.");

    public async ValueTask<IReadOnlyCollection<SecurityKey>> GetVerificationKeysAsync(string? keyId, CancellationToken cancellationToken)
    {
        var ring = await CurrentAsync(cancellationToken);
        if (keyId is not null && !ring.Published.Any(k => k.KeyId == keyId) && clock.GetUtcNow() - ring.LoadedAt > TimeSpan.FromSeconds(5))
        {
            // A key another instance just made: look once more (at most every 5 s).
            ring = await LoadAsync(force: true, cancellationToken);
        }
        return ring.Published;
    }

    /// <summary>The published keys as a JSON Web Key Set (public parts only).</summary>
    public async Task<string> GetJwksJsonAsync(CancellationToken cancellationToken) => (await CurrentAsync(cancellationToken)).Jwks;

    /// <summary>Makes a new active key now; the old one keeps verifying until its tokens have expired.</summary>
    public async Task RotateAsync(CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            await AddKeyAsync(cancellationToken);
            _ring = await BuildAsync(cancellationToken);
        }
        finally
        {
            _loading.Release();
        }
    }

    public void Dispose() => _loading.Dispose();

    private async Task<Ring> CurrentAsync(CancellationToken cancellationToken)
    {
        var ring = _ring;
        return IsFresh(ring) ? ring! : await LoadAsync(force: false, cancellationToken);
    }

    // Loaded recently enough to have seen other instances' rotations, and its active key not yet due for one.
    private bool IsFresh(Ring? ring)
    {
        var now = clock.GetUtcNow();
        return ring is not null && now - ring.LoadedAt < Reload && now - ring.ActiveSince < options.Value.KeyRotationInterval;
    }

    private async Task<Ring> LoadAsync(bool force, CancellationToken cancellationToken)
    {
        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (!force && IsFresh(_ring))
            {
                return _ring!;
            }
            var now = clock.GetUtcNow();
            var ring = await BuildAsync(cancellationToken);
            if (ring.Active is null || now - ring.ActiveSince >= options.Value.KeyRotationInterval)
            {
                await AddKeyAsync(cancellationToken);
                ring = await BuildAsync(cancellationToken);
            }
            // Tokens live at most this long (guest passes are the longest), plus the validator's skew.
            var longest = options.Value.GuestTokenLifetime > options.Value.AccessTokenLifetime ? options.Value.GuestTokenLifetime : options.Value.AccessTokenLifetime;
            await store.DeleteRetiredKeysAsync(now - longest - TimeSpan.FromMinutes(1), cancellationToken);
            return _ring = ring;
        }
        finally
        {
            _loading.Release();
        }
    }

    private async Task AddKeyAsync(CancellationToken cancellationToken)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        await store.AddSigningKeyAsync(new StoredSigningKey(keyId, key.ExportPkcs8PrivateKey(), clock.GetUtcNow(), null), cancellationToken);
        LogRotated(logger, keyId);
    }

    private async Task<Ring> BuildAsync(CancellationToken cancellationToken)
    {
        var stored = await store.ListSigningKeysAsync(cancellationToken);
        var published = new List<SecurityKey>();
        var jwks = new List<Dictionary<string, string>>();
        SigningCredentials? signing = null;
        var activeSince = DateTimeOffset.MinValue;
        foreach (var key in stored)
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportPkcs8PrivateKey(key.PrivateKey, out _);
            var parameters = ecdsa.ExportParameters(includePrivateParameters: false);
            var publicKey = ECDsa.Create(parameters);
            published.Add(new ECDsaSecurityKey(publicKey) { KeyId = key.KeyId });
            jwks.Add(new()
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["use"] = "sig", ["alg"] = AccessTokenClaims.Algorithm, ["kid"] = key.KeyId,
                ["x"] = Base64UrlEncoder.Encode(parameters.Q.X), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
            });
            if (key.RetiredAt is null && signing is null)
            {
                signing = new SigningCredentials(new ECDsaSecurityKey(ecdsa) { KeyId = key.KeyId }, AccessTokenClaims.Algorithm);
                activeSince = key.CreatedAt;
            }
            else
            {
                ecdsa.Dispose();
            }
        }
        return new Ring(signing, published, JsonSerializer.Serialize(new { keys = jwks }), activeSince, clock.GetUtcNow());
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "New signing key {KeyId} is active")]
    private static partial void LogRotated(ILogger logger, string keyId);

    private sealed record Ring(SigningCredentials? Active, IReadOnlyCollection<SecurityKey> Published, string Jwks, DateTimeOffset ActiveSince, DateTimeOffset LoadedAt);
}
