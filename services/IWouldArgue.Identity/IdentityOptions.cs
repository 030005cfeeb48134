using IWouldArgue.Identity.Passwords;
namespace IWouldArgue.Identity;

/// <summary>Accounts and tokens, bound from the "Identity" configuration section.</summary>
public sealed class IdentityOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Identity";

    /// <summary>
    /// Where accounts, refresh tokens and signing keys are kept: "sqlite" (a file one process owns) or "postgres" (several
    /// Identity instances over one database). Default: "sqlite".
    /// </summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The store's connection string, as <see cref="Provider"/> reads it. Default: a SQLite file under ./data.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/identity.db";

    /// <summary>Whether the store is on PostgreSQL.</summary>
    public bool OnPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>How long an access token is accepted. Default: 15 minutes (15..60 allowed).</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a refresh token (and so a signed-in session without use) lasts. Default: 30 days.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How long a guest pass is accepted: longer than the longest discussion. Default: 4 hours.</summary>
    public TimeSpan GuestTokenLifetime { get; set; } = TimeSpan.FromHours(4);

    /// <summary>Argon2id memory for new password hashes, in KiB. Default: 19,456 (19 MiB, OWASP's first Argon2id configuration).</summary>
    public int PasswordMemoryKiB { get; set; } = PasswordCost.Owasp.MemoryKiB;

    /// <summary>Argon2id passes over that memory for new password hashes. Default: 2 (OWASP's).</summary>
    public int PasswordPasses { get; set; } = PasswordCost.Owasp.Passes;

    /// <summary>What a new password hash costs (<see cref="PasswordMemoryKiB"/>, <see cref="PasswordPasses"/>).</summary>
    public PasswordCost PasswordCost => new(PasswordMemoryKiB, PasswordPasses);

    /// <summary>Sign-in attempts per minute from one IP address, and for one account. Default: 5.</summary>
    public int SignInAttemptsPerMinute { get; set; } = 5;

    /// <summary>A new signing key replaces the active one after this long. Default: 30 days.</summary>
    public TimeSpan KeyRotationInterval { get; set; } = TimeSpan.FromDays(30);
}
