namespace IWouldArgue.Live;

/// <summary>Settings of the Live service (configuration section "Live").</summary>
public sealed class LiveOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Live";

    /// <summary>This instance's id, unique in the cluster; its pub/sub topic is named after it. Default: host name + random suffix.</summary>
    public string InstanceId { get; set; } = "";

    /// <summary>The address watchers routed to this instance should use (what the gateway forwards to).</summary>
    public string AdvertisedAddress { get; set; } = "";

    /// <summary>
    /// A discussion sends at most one frame of events per window: an event that arrives when the last frame of events
    /// left a window ago or more goes out at once, later ones wait for that frame's window to end and go out together.
    /// So an event waits at most this long, and not at all at a few comments a second. 50 ms by default.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// False (the default): each window starts at the frame that opens it, which spreads the sends over time; on
    /// Kestrel every stream costs a write of its own. bench/fanout-align.sh (20 discussions x 1,000 watchers,
    /// two rounds) measured p99 211 / 171 ms this way against 454 / 160 ms aligned at 5 comments/s, and 459 / 485
    /// against 577 / 527 ms at 10/s. True: windows are slices of the clock shared by every discussion, so all
    /// discussions send at the same moments.
    /// </summary>
    public bool AlignBatchWindows { get; set; }

    /// <summary>An idle stream gets a heartbeat this often.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Frames a watcher may have waiting to be written; one more and it is sent a resync and dropped.</summary>
    public int WatcherQueueFrames { get; set; } = 64;

    /// <summary>
    /// How long a dropped watcher's last write may take before its stream is reset (REFUSED_STREAM: the client
    /// sees UNAVAILABLE and resumes). Documented on LiveService.Watch in live.proto: change both together.
    /// </summary>
    public TimeSpan SlowWatcherGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Watch streams one instance accepts (RESOURCE_EXHAUSTED beyond).</summary>
    public int MaxWatchersPerInstance { get; set; } = 50_000;

    /// <summary>Watch streams one discussion accepts on one instance (RESOURCE_EXHAUSTED beyond).</summary>
    public int MaxWatchersPerDiscussion { get; set; } = 2_000;

    /// <summary>Watch streams one person may hold open on one discussion (tabs, devices); RESOURCE_EXHAUSTED beyond.</summary>
    public int MaxStreamsPerPerson { get; set; } = 5;

    /// <summary>Comments a snapshot carries.</summary>
    public int SnapshotComments { get; set; } = 50;

    /// <summary>Recent events kept in memory per discussion, so a watcher joining mid-burst catches up without the log.</summary>
    public int RecentEvents { get; set; } = 512;

    /// <summary>A discussion without watchers keeps its state this long, for quick reconnects.</summary>
    public TimeSpan IdleLinger { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A member whose last Watch stream closed is counted out of the attendee count after this long without a new one.</summary>
    public TimeSpan PresenceGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>This instance renews its registrations this often; they expire after three missed renewals.</summary>
    public TimeSpan RegistrationInterval { get; set; } = TimeSpan.FromSeconds(5);
}
