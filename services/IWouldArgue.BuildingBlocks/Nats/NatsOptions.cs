namespace IWouldArgue.BuildingBlocks.Nats;

/// <summary>
/// How to reach NATS, for running several processes without Dapr (<c>BuildingBlocks:Mode</c> = "nats"): pub/sub on a
/// JetStream stream, state in a JetStream key/value bucket. Bound from the "Nats" configuration section.
/// </summary>
public sealed class NatsOptions
{
    /// <summary>The configuration section these options bind from.</summary>
    public const string SectionName = "Nats";

    /// <summary>The server. Default: nats://127.0.0.1:4222.</summary>
    public Uri Url { get; set; } = new("nats://127.0.0.1:4222");

    /// <summary>
    /// The name this app's subscriptions share: every instance of one app takes turns with the messages of a topic (each
    /// message is handled by one of them), and a restarted instance resumes where its app left off. Default: the host's
    /// application name.
    /// </summary>
    public string? ConsumerGroup { get; set; }

    /// <summary>The JetStream stream that holds published messages. Default: "IWOULDARGUE".</summary>
    public string Stream { get; set; } = "IWOULDARGUE";

    /// <summary>The subject prefix of topics (topic "t" is subject "iwouldargue.t"). Default: "iwouldargue".</summary>
    public string SubjectPrefix { get; set; } = "iwouldargue";

    /// <summary>How long the stream keeps a message (to redeliver it, or for an instance catching up). Default: 1 hour.</summary>
    public TimeSpan MessageRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The key/value bucket of the state store. Default: "iwouldargue-state".</summary>
    public string Bucket { get; set; } = "iwouldargue-state";

    /// <summary>
    /// The longest any state value is kept, whatever its own TTL (the bucket's age limit: the servers this is tested
    /// with have no per-key TTL; each key's own TTL is kept in its value and applied on read). Default: 1 day.
    /// </summary>
    public TimeSpan StateRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a delivery may go unacknowledged (the handler still running) before NATS delivers it again. Default: 30 s.</summary>
    public TimeSpan AckWait { get; set; } = TimeSpan.FromSeconds(30);
}
