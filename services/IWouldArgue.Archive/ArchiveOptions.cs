namespace IWouldArgue.Archive;

/// <summary>How long ended discussions stay, bound from the "Archive" configuration section.</summary>
public sealed class ArchiveOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Archive";

    /// <summary>How long after it ends a discussion stays available. Default: 7 days.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the purge job looks for discussions past their retention. Default: 1 hour.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);
}
