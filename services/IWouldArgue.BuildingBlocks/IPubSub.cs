namespace IWouldArgue.BuildingBlocks;

/// <summary>
/// Publish/subscribe between services. Delivery is at least once and may reorder or drop under
/// failure on some brokers, so consumers dedupe and repair gaps themselves (events carry sequence numbers).
/// </summary>
public interface IPubSub
{
    /// <summary>Publishes one message to a topic; throws <see cref="PubSubException"/> when the broker did not take it.</summary>
    Task PublishAsync(string topic, PubSubMessage message, CancellationToken cancellationToken = default);

    /// <summary>Delivers the topic's messages to <paramref name="handler"/> until the returned handle is disposed.</summary>
    IDisposable Subscribe(string topic, PubSubHandler handler);
}

/// <summary>Handles one delivered message and says what the broker should do with it.</summary>
public delegate Task<DeliveryResult> PubSubHandler(PubSubMessage message, CancellationToken cancellationToken);

/// <summary>One message: an id (for deduplication), a type, and the payload bytes.</summary>
/// <param name="Id">Unique per message; redeliveries keep it.</param>
/// <param name="Type">What the payload is, e.g. "iwouldargue.v1.DiscussionEvent".</param>
/// <param name="Data">The payload.</param>
/// <param name="ContentType">The payload's media type, e.g. "application/protobuf".</param>
public sealed record PubSubMessage(string Id, string Type, ReadOnlyMemory<byte> Data, string ContentType = "application/protobuf");

/// <summary>What a subscriber asks the broker to do with a delivered message.</summary>
public enum DeliveryResult
{
    /// <summary>Handled; do not deliver again.</summary>
    Success,
    /// <summary>Failed for now; deliver again later.</summary>
    Retry,
    /// <summary>Can never be handled (malformed); do not deliver again.</summary>
    Drop,
}

/// <summary>A publish the broker did not accept.</summary>
public sealed class PubSubException(string message, Exception? inner = null) : Exception(message, inner);
