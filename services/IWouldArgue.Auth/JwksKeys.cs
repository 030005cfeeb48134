using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace IWouldArgue.Auth;

/// <summary>
/// Identity's public keys fetched from its JWKS endpoint, for a service running apart from Identity. Keys
/// are kept for <see cref="AuthOptions.JwksRefreshInterval"/>; a token signed with a key id not seen yet
/// (a rotation) triggers one early fetch, at most every 30 seconds so forged key ids cannot flood Identity.
/// </summary>
public sealed partial class JwksKeys(HttpClient http, IOptions<AuthOptions> options, TimeProvider clock, ILogger<JwksKeys> logger) : IAccessTokenKeys, IDisposable
{
    private static readonly TimeSpan MinRefetch = TimeSpan.FromSeconds(30);
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private IReadOnlyCollection<SecurityKey> _keys = [];
    private DateTimeOffset _fetchedAt = DateTimeOffset.MinValue;

    public async ValueTask<IReadOnlyCollection<SecurityKey>> GetVerificationKeysAsync(string? keyId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var stale = now - _fetchedAt > options.Value.JwksRefreshInterval;
        var unknown = keyId is not null && !_keys.Any(k => k.KeyId == keyId) && now - _fetchedAt > MinRefetch;
        if (stale || unknown)
        {
            await RefreshAsync(cancellationToken);
        }
        return _keys;
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var url = options.Value.JwksUrl ?? throw new InvalidOperationException("Auth:JwksUrl is not set; a service apart from Identity needs it to check access tokens.");
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            if (clock.GetUtcNow() - _fetchedAt <= MinRefetch)
            {
                return;
            }
            var json = await http.GetStringAsync(url, cancellationToken);
            _keys = [.. new JsonWebKeySet(json).GetSigningKeys()];
            _fetchedAt = clock.GetUtcNow();
            LogFetched(logger, _keys.Count, url);
        }
        catch (HttpRequestException e)
        {
            // Keep the keys we have: a short Identity outage must not sign everyone out.
            LogFetchFailed(logger, url, e.Message);
        }
        finally
        {
            _fetching.Release();
        }
    }

    public void Dispose() => _fetching.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched {Count} signing keys from {Url}")]
    private static partial void LogFetched(ILogger logger, int count, Uri url);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch signing keys from {Url}: {Reason}; keeping the ones already known")]
    private static partial void LogFetchFailed(ILogger logger, Uri url, string reason);
}
