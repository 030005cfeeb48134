using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Auth;

/// <summary>The public keys access tokens are verified with: Identity's own key ring, or its JWKS fetched over HTTP.</summary>
public interface IAccessTokenKeys
{
    /// <summary>The keys that may have signed a token with key id <paramref name="keyId"/>.</summary>
    ValueTask<IReadOnlyCollection<SecurityKey>> GetVerificationKeysAsync(string? keyId, CancellationToken cancellationToken);
}
