using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace IWouldArgue.Identity.Passwords;

/// <summary>What one Argon2id hash costs: memory in KiB and passes over it (one lane).</summary>
public readonly record struct PasswordCost(int MemoryKiB, int Passes)
{
    /// <summary>OWASP's first Argon2id configuration: 19 MiB, 2 passes, 1 lane.</summary>
    public static PasswordCost Owasp { get; } = new(19_456, 2);
}

/// <summary>
/// Password hashes with Argon2id (Konscious.Security.Cryptography) and a random 16-byte salt per password,
/// stored as <c>argon2id$v=19$m={KiB},t={passes},p=1${salt}${hash}</c> (base64). Hashes made earlier with
/// PBKDF2-SHA256 (<c>pbkdf2-sha256${iterations}${salt}${hash}</c>) still verify, and are replaced by Argon2id at
/// the next sign-in, as are Argon2id hashes made at a lower cost than today's.
/// </summary>
public static class PasswordHasher
{
    private const string Argon2Scheme = "argon2id";
    private const string Pbkdf2Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with a new salt.</summary>
    public static string Hash(string password, PasswordCost cost)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Argon2(password, salt, cost);
        return string.Create(CultureInfo.InvariantCulture, $"{Argon2Scheme}$v=19$m={cost.MemoryKiB},t={cost.Passes},p=1${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>
    /// Whether <paramref name="password"/> matches <paramref name="stored"/> (the hashes compared in constant time),
    /// and whether a match should be hashed again at <paramref name="cost"/>.
    /// </summary>
    public static bool Verify(string password, string stored, PasswordCost cost, out bool needsRehash)
    {
        ArgumentNullException.ThrowIfNull(stored);
        needsRehash = false;
        var parts = stored.Split('$');
        bool match;
        if (parts is [Argon2Scheme, "v=19", var parameters, var salt, var expected] && ParseCost(parameters) is { } used)
        {
            match = CryptographicOperations.FixedTimeEquals(Argon2(password, Convert.FromBase64String(salt), used), Convert.FromBase64String(expected));
            needsRehash = match && (used.MemoryKiB < cost.MemoryKiB || used.Passes < cost.Passes);
        }
        else if (parts is [Pbkdf2Scheme, var count, var pbkdf2Salt, var pbkdf2Hash] && int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Convert.FromBase64String(pbkdf2Salt), iterations, HashAlgorithmName.SHA256, HashBytes);
            match = CryptographicOperations.FixedTimeEquals(actual, Convert.FromBase64String(pbkdf2Hash));
            needsRehash = match;
        }
        else
        {
            return false;
        }
        return match;
    }

    /// <summary>
    /// Spends the time a real check would, for a sign-in with an unknown email, so response times do not
    /// tell which emails have accounts.
    /// </summary>
    public static void Waste(string password, PasswordCost cost) => Argon2(password, new byte[SaltBytes], cost);

    private static byte[] Argon2(string password, byte[] salt, PasswordCost cost)
    {
        using var argon2 = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            DegreeOfParallelism = 1,
            MemorySize = cost.MemoryKiB,
            Iterations = cost.Passes,
        };
        return argon2.GetBytes(HashBytes);
    }

    // "m=19456,t=2,p=1": this scheme's only lane count is 1.
    private static PasswordCost? ParseCost(string parameters)
    {
        var values = parameters.Split(',').Select(p => p.Split('=')).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        return values.TryGetValue("m", out var m) && values.TryGetValue("t", out var t) && values.GetValueOrDefault("p") == "1"
            && int.TryParse(m, NumberStyles.None, CultureInfo.InvariantCulture, out var memory) && int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var passes)
            && memory >= 8 && passes >= 1
            ? new PasswordCost(memory, passes)
            : null;
    }
}
