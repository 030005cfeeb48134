namespace IWouldArgue.Media;

/// <summary>
/// The LiveKit server voice goes through, bound from the "Media" configuration section (or the
/// environment: Media__LiveKitUrl, Media__ApiKey, Media__ApiSecret). Without all three, voice is off and
/// everything else keeps working.
/// </summary>
public sealed class MediaOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Media";

    /// <summary>Where browsers connect, e.g. wss://voice.example.org (ws://127.0.0.1:7880 for <c>livekit-server --dev</c>).</summary>
    public Uri? LiveKitUrl { get; set; }

    /// <summary>Where the server API (Twirp) is; default: <see cref="LiveKitUrl"/> with http(s) for ws(s).</summary>
    public Uri? ApiUrl { get; set; }

    /// <summary>The API key (the <c>iss</c> of every token).</summary>
    public string? ApiKey { get; set; }

    /// <summary>The API secret tokens are signed with. Never logged.</summary>
    public string? ApiSecret { get; set; }

    /// <summary>How long a voice token may be used to connect. Default: 10 minutes.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A room with nobody in it closes after this long. Default: 5 minutes.</summary>
    public TimeSpan EmptyTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The most people in one voice room: the attendee limit plus a margin. Default: 1,100.</summary>
    public int MaxParticipants { get; set; } = 1100;

    /// <summary>How long one call to LiveKit may take. Default: 5 seconds.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Attempts of an idempotent call to LiveKit before giving up. Default: 3.</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>
    /// Where the egress writes recordings: with <see cref="RecordingStorage.Disk"/> a folder on the egress
    /// worker, which must be the same folder for this server (same machine or a shared volume) for the
    /// archive to serve them; with <see cref="RecordingStorage.S3"/> the key prefix in the bucket. Default: "recordings".
    /// </summary>
    public string RecordingPath { get; set; } = "recordings";

    /// <summary>Where recordings are kept. Default: <see cref="RecordingStorage.Disk"/>.</summary>
    public RecordingStorage RecordTo { get; set; } = RecordingStorage.Disk;

    /// <summary>Whether voice is configured.</summary>
    public bool Enabled => LiveKitUrl is not null && !string.IsNullOrEmpty(ApiKey) && !string.IsNullOrEmpty(ApiSecret);

    /// <summary>The Twirp base address.</summary>
    public Uri ServerApi => ApiUrl ?? new UriBuilder(LiveKitUrl!) { Scheme = LiveKitUrl!.Scheme == "wss" ? "https" : LiveKitUrl.Scheme == "ws" ? "http" : LiveKitUrl.Scheme, Port = LiveKitUrl.IsDefaultPort ? -1 : LiveKitUrl.Port }.Uri;
}

/// <summary>Where LiveKit's egress writes recordings.</summary>
public enum RecordingStorage
{
    /// <summary>A folder on the egress worker's disk (<see cref="MediaOptions.RecordingPath"/>).</summary>
    Disk,

    /// <summary>The S3-compatible bucket attachments use (Attachments:S3), under <see cref="MediaOptions.RecordingPath"/>.</summary>
    S3,
}
