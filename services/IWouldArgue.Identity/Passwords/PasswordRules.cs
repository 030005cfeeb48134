using IWouldArgue.Contracts;
using Grpc.Core;

namespace IWouldArgue.Identity.Passwords;

/// <summary>What a new password must be: at least 10 characters, at most 128, and not one people commonly pick.</summary>
public static class PasswordRules
{
    /// <summary>The fewest characters a password may have.</summary>
    public const int MinLength = 10;

    /// <summary>The most characters a password may have (bounds the hashing work an attacker can ask for).</summary>
    public const int MaxLength = 128;

    // Passwords of 10+ characters found near the top of public breach-frequency lists, lower-cased.
    private static readonly HashSet<string> Common = new(StringComparer.Ordinal)
    {
        "1234567890", "0123456789", "0987654321", "1111111111", "0000000000", "1234512345", "1122334455",
        "123456789a", "a123456789", "12345678910", "123123123123", "qwertyuiop", "qwertyuiop123", "qwerty1234",
        "qwerty12345", "qwerty123456", "1q2w3e4r5t", "1q2w3e4r5t6y", "1qaz2wsx3edc", "zaq12wsxcde3", "asdfghjkl1",
        "asdfghjkl;", "zxcvbnm123", "password12", "password123", "password1234", "password!1", "passw0rd123",
        "p@ssw0rd123", "iloveyou12", "iloveyou123", "letmein123", "welcome123", "welcome1234", "sunshine123",
        "football123", "baseball123", "princess123", "dragon1234", "monkey1234", "abc1234567", "abcdefghij",
        "abcd123456", "administrator", "admin12345", "admin123456", "changeme123", "trustno1234", "superman123",
        "michael123", "charlie123", "computer123", "internet123", "starwars123", "whatever123", "qazwsxedcrfv",
        "1q2w3e4r5t6y7u", "aaaaaaaaaa", "passwordpassword", "mypassword1", "mypassword123", "secret1234",
    };

    /// <summary>INVALID_ARGUMENT naming the <c>password</c> field when <paramref name="password"/> is not acceptable.</summary>
    public static void Check(string? password, string normalizedEmail)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            throw RpcErrors.InvalidArgument("password", $"must be at least {MinLength} characters.");
        }
        if (password.Length > MaxLength)
        {
            throw RpcErrors.InvalidArgument("password", $"must be at most {MaxLength} characters.");
        }
        var lowered = password.ToLowerInvariant();
        if (Common.Contains(lowered) || lowered.Distinct().Count() <= 2)
        {
            throw RpcErrors.InvalidArgument("password", "is one of the most commonly used passwords; pick another.");
        }
        var local = normalizedEmail.Split('@')[0];
        if (local.Length >= 4 && lowered.Contains(local, StringComparison.Ordinal))
        {
            throw RpcErrors.InvalidArgument("password", "must not contain your email address.");
        }
    }
}
