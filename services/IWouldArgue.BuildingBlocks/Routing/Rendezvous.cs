namespace IWouldArgue.BuildingBlocks.Routing;

/// <summary>
/// Rendezvous (highest random weight) hashing: every key goes to the candidate with the highest hash of
/// (key, candidate). All routers agree without talking to each other, and when a candidate leaves only
/// the keys it held move. The hash is stable across processes and versions (FNV-1a, then a 64-bit mix).
/// </summary>
public static class Rendezvous
{
    /// <summary>The candidate that owns <paramref name="key"/>, or null when there are none.</summary>
    public static string? Pick(string key, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(candidates);
        string? best = null;
        ulong bestScore = 0;
        foreach (var candidate in candidates)
        {
            var score = Score(key, candidate);
            if (best is null || score > bestScore || (score == bestScore && string.CompareOrdinal(candidate, best) > 0))
            {
                best = candidate;
                bestScore = score;
            }
        }
        return best;
    }

    private static ulong Score(string key, string candidate)
    {
        var hash = 14695981039346656037UL;
        hash = Add(hash, key);
        hash = (hash ^ 0xFF) * 1099511628211UL;
        hash = Add(hash, candidate);
        // splitmix64's finalizer spreads FNV's weak low bits over the whole word.
        hash = (hash ^ (hash >> 30)) * 0xBF58476D1CE4E5B9UL;
        hash = (hash ^ (hash >> 27)) * 0x94D049BB133111EBUL;
        return hash ^ (hash >> 31);
    }

    private static ulong Add(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = (hash ^ (byte)c) * 1099511628211UL;
            hash = (hash ^ (byte)(c >> 8)) * 1099511628211UL;
        }
        return hash;
    }
}
