using System.Text.Json;

namespace IWouldArgue.BuildingBlocks.Routing;

/// <summary>
/// A small set of members under one state key, each with its own expiry, changed by read-modify-write with
/// the ETag (retried on conflict) so concurrent writers never lose each other's changes. Members that stop
/// renewing drop out when their time passes; that is how a crashed instance leaves without saying so.
/// Meant for tens of members (instances), not thousands.
/// </summary>
public sealed class ExpiringSet(IStateStore state, TimeProvider clock, string key)
{
    /// <summary>Adds or renews a member with a value until <paramref name="ttl"/> from now.</summary>
    public Task UpsertAsync(string member, string value, TimeSpan ttl, CancellationToken cancellationToken = default) =>
        UpdateAsync(members =>
        {
            members[member] = new Entry(value, (clock.GetUtcNow() + ttl).ToUnixTimeMilliseconds());
            return true;
        }, ttl, cancellationToken);

    /// <summary>Removes a member (nothing happens when it is absent).</summary>
    public Task RemoveAsync(string member, CancellationToken cancellationToken = default) =>
        UpdateAsync(members => members.Remove(member), null, cancellationToken);

    /// <summary>The members that have not expired, with their values.</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(CancellationToken cancellationToken = default)
    {
        var (members, _) = await LoadAsync(cancellationToken);
        return members.ToDictionary(m => m.Key, m => m.Value.Value, StringComparer.Ordinal);
    }

    private async Task UpdateAsync(Func<Dictionary<string, Entry>, bool> change, TimeSpan? ttl, CancellationToken cancellationToken)
    {
        while (true)
        {
            var (members, etag) = await LoadAsync(cancellationToken);
            if (!change(members) && etag is not null)
            {
                return;
            }
            // The key outlives its longest member a little, so an abandoned set disappears by itself.
            var longest = members.Count == 0 ? 0 : members.Values.Max(e => e.ExpiresAtMs) - clock.GetUtcNow().ToUnixTimeMilliseconds();
            var keyTtl = TimeSpan.FromMilliseconds(Math.Max(longest, (ttl ?? TimeSpan.Zero).TotalMilliseconds)) + TimeSpan.FromMinutes(1);
            if (await state.TrySaveAsync(key, JsonSerializer.SerializeToUtf8Bytes(members), etag, keyTtl, cancellationToken))
            {
                return;
            }
        }
    }

    private async Task<(Dictionary<string, Entry> Members, string? ETag)> LoadAsync(CancellationToken cancellationToken)
    {
        var entry = await state.GetAsync(key, cancellationToken);
        var members = entry is null || entry.Value.IsEmpty
            ? new Dictionary<string, Entry>(StringComparer.Ordinal)
            : JsonSerializer.Deserialize<Dictionary<string, Entry>>(entry.Value.Span) ?? [];
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var expired in members.Where(m => m.Value.ExpiresAtMs <= now).Select(m => m.Key).ToList())
        {
            members.Remove(expired);
        }
        return (members, entry?.ETag);
    }

    private sealed record Entry(string Value, long ExpiresAtMs);
}
