namespace IWouldArgue.Discussions;

/// <summary>Limits of discussions, bound from the "Discussions" configuration section.</summary>
public sealed class DiscussionOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Discussions";

    /// <summary>
    /// Which database the store is on: "sqlite" (one process owns a file: the embedded default) or "postgres" (several
    /// instances over one database). Default: "sqlite".
    /// </summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The store's connection string, as <see cref="Provider"/> reads it. Default: a SQLite file under ./data.</summary>
    public string ConnectionString { get; set; } = "Data Source=data/discussions.db";

    /// <summary>Whether the store is on PostgreSQL.</summary>
    public bool OnPostgres => string.Equals(Provider, "postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The store these options describe, with its rules.</summary>
    public Store.IDiscussionStore CreateStore() => OnPostgres
        ? new Store.PostgresDiscussionStore(ConnectionString, new Store.AppendRules(MaxSpeakers))
        : new Store.SqliteDiscussionStore(ConnectionString, new Store.AppendRules(MaxSpeakers));

    /// <summary>A live discussion ends by itself after this long. Default: 3 hours.</summary>
    public TimeSpan MaxDuration { get; set; } = TimeSpan.FromHours(3);

    /// <summary>How often the auto-end job looks for discussions past their maximum duration. Default: 15 seconds.</summary>
    public TimeSpan AutoEndInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>The most people with a speaking role (participant and above) at once. Default: 20.</summary>
    public int MaxSpeakers { get; set; } = 20;

    /// <summary>Comments per second a person may post over time. Default: 1.</summary>
    public double CommentsPerSecond { get; set; } = 1;

    /// <summary>Comments a person may post at once before the rate applies. Default: 5.</summary>
    public int CommentBurst { get; set; } = 5;

    /// <summary>How far back RECENT lists attended discussions. Default: 7 days.</summary>
    public TimeSpan RecentWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Until the Identity service lands, trust the caller's own <c>iwouldargue-user-id</c> and
    /// <c>iwouldargue-user-name</c> metadata. Only for a host bound to localhost. Default: false.
    /// </summary>
    public bool TrustCallerHeaders { get; set; }
}
