using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IWouldArgue.Identity.Passwords;

/// <summary>
/// Password hashes with PBKDF2-HMAC-SHA256 and a random 16-byte salt per password. Argon2id would be the
/// first choice, but no Argon2 (or bcrypt) package can be had for this build, so we use the framework's
/// PBKDF2 at OWASP's iteration count. Stored as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64), so
/// the count can rise later: a hash made with fewer iterations is replaced at the next sign-in.
/// </summary>
public static class PasswordHasher
{
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    /// <summary>Hashes <paramref name="password"/> with a new salt.</summary>
    public static string Hash(string password, int iterations)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Derive(password, salt, iterations);
        return string.Join('$', Scheme, iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>Whether <paramref name="password"/> matches <paramref name="stored"/> (in constant time for the hash comparison).</summary>
    public static bool Verify(string password, string stored, out bool needsRehash, int currentIterations)
    {
        ArgumentNullException.ThrowIfNull(stored);
        needsRehash = false;
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations))
        {
            return false;
        }
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Derive(password, Convert.FromBase64String(parts[2]), iterations);
        var match = CryptographicOperations.FixedTimeEquals(actual, expected);
        needsRehash = match && iterations < currentIterations;
        return match;
    }

    /// <summary>
    /// Spends the time a real check would, for a sign-in with an unknown email, so response times do not
    /// tell which emails have accounts.
    /// </summary>
    public static void Waste(string password, int iterations) => Derive(password, new byte[SaltBytes], iterations);

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
}
