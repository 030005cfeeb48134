namespace IWouldArgue.Attachments;

/// <summary>Limits of shared files, bound from the "Attachments" configuration section.</summary>
public sealed class AttachmentOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Attachments";

    /// <summary>Where the local-disk blob store keeps files. Default: data/blobs.</summary>
    public string StoragePath { get; set; } = "data/blobs";

    /// <summary>The largest file. Default: 30 MiB.</summary>
    public long MaxBytes { get; set; } = 30L * 1024 * 1024;

    /// <summary>The most bytes of files one discussion may hold. Default: 500 MiB.</summary>
    public long QuotaBytesPerDiscussion { get; set; } = 500L * 1024 * 1024;

    /// <summary>Uploads one person may start per minute. Default: 10.</summary>
    public int UploadsPerMinute { get; set; } = 10;

    /// <summary>The largest profile picture. Default: 1 MiB.</summary>
    public long AvatarMaxBytes { get; set; } = 1L * 1024 * 1024;

    /// <summary>The most pixels a profile picture may have on a side. Default: 2048.</summary>
    public int AvatarMaxSide { get; set; } = 2048;

    /// <summary>New profile pictures one person may upload in 24 hours. Default: 10.</summary>
    public int AvatarsPerDay { get; set; } = 10;

    /// <summary>How often stored files no shared file refers to are looked for. Default: 1 hour.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Unreferenced stored files younger than this are left alone (an upload may be about to refer to them). Default: 1 hour.</summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromHours(1);
}
