using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>
/// State through the Dapr sidecar's state API: <c>GET/DELETE /v1.0/state/{store}/{key}</c> and
/// <c>POST /v1.0/state/{store}</c>. Values are stored as base64 JSON strings; ETags give first-write-wins
/// saves and deletes; a TTL travels as the <c>ttlInSeconds</c> metadata.
/// </summary>
public sealed class DaprStateStore(DaprHttp dapr) : IStateStore
{
    /// <inheritdoc/>
    public async Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Get, KeyPath(key), null, null, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return null;
        }
        await EnsureSuccessAsync(response, "read", key, cancellationToken);
        var text = JsonSerializer.Deserialize<string>(await response.Content.ReadAsStringAsync(cancellationToken))
            ?? throw new StateStoreException($"State {key} holds no value.");
        var etag = response.Headers.ETag?.Tag.Trim('"')
            ?? (response.Headers.TryGetValues("ETag", out var values) ? values.First() : "");
        return new StateEntry(Convert.FromBase64String(text), etag);
    }

    /// <inheritdoc/>
    public async Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        var item = new JsonObject
        {
            ["key"] = key,
            ["value"] = Convert.ToBase64String(value.Span),
        };
        if (etag is not null)
        {
            item["etag"] = etag;
            item["options"] = new JsonObject { ["concurrency"] = "first-write" };
        }
        if (ttl is { } t)
        {
            var seconds = Math.Max(1, (long)Math.Ceiling(t.TotalSeconds));
            item["metadata"] = new JsonObject { ["ttlInSeconds"] = seconds.ToString(CultureInfo.InvariantCulture) };
        }
        var content = new StringContent(new JsonArray(item).ToJsonString(), Encoding.UTF8, "application/json");
        using var response = await SendAsync(HttpMethod.Post, StorePath(), content, null, cancellationToken);
        if (await IsETagConflictAsync(response, cancellationToken))
        {
            return false;
        }
        await EnsureSuccessAsync(response, "save", key, cancellationToken);
        return true;
    }

    /// <inheritdoc/>
    public async Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync(HttpMethod.Delete, KeyPath(key), null, etag, cancellationToken);
        if (await IsETagConflictAsync(response, cancellationToken))
        {
            return false;
        }
        await EnsureSuccessAsync(response, "delete", key, cancellationToken);
        return true;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, string? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            return await dapr.SendAsync(method, path, content, ifMatch, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new StateStoreException($"The Dapr sidecar at {dapr.Options.HttpEndpoint} could not be reached.", ex);
        }
    }

    // Dapr answers an ETag mismatch with 409; older runtimes reported it as a 500 whose message says so.
    private static async Task<bool> IsETagConflictAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
        response.StatusCode == HttpStatusCode.Conflict
        || (response.StatusCode == HttpStatusCode.InternalServerError
            && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("etag mismatch", StringComparison.OrdinalIgnoreCase));

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, string key, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            throw new StateStoreException($"Dapr could not {operation} state {key}: HTTP {(int)response.StatusCode} {detail}");
        }
    }

    private string StorePath() => $"v1.0/state/{Uri.EscapeDataString(dapr.Options.StateStoreName)}";

    private string KeyPath(string key) => $"{StorePath()}/{Uri.EscapeDataString(key)}";
}

/// <summary>A state operation the store failed (not an ETag conflict, which is a normal false answer).</summary>
public sealed class StateStoreException(string message, Exception? inner = null) : Exception(message, inner);
