using System.Text.Json;
using System.Text.Json.Serialization;

namespace IWouldArgue.BuildingBlocks.Dapr;

/// <summary>
/// A CloudEvents 1.0 event in its JSON format, as Dapr publishes and delivers it. Binary payloads travel
/// in <c>data_base64</c>; an event Dapr wrapped itself may carry JSON in <c>data</c> instead.
/// </summary>
internal sealed class CloudEvent
{
    public const string ContentType = "application/cloudevents+json";

    [JsonPropertyName("specversion")]
    public string SpecVersion { get; set; } = "1.0";

    [JsonPropertyName("id")]
    public string? Id { get; set; }

    [JsonPropertyName("source")]
    public string? Source { get; set; }

    [JsonPropertyName("type")]
    public string? Type { get; set; }

    [JsonPropertyName("datacontenttype")]
    public string? DataContentType { get; set; }

    [JsonPropertyName("time")]
    public DateTimeOffset? Time { get; set; }

    [JsonPropertyName("data_base64")]
    public string? DataBase64 { get; set; }

    [JsonPropertyName("data")]
    public JsonElement? Data { get; set; }

    [JsonPropertyName("topic")]
    public string? Topic { get; set; }

    [JsonPropertyName("pubsubname")]
    public string? PubSubName { get; set; }

    public static CloudEvent From(PubSubMessage message, string source) => new()
    {
        Id = message.Id,
        Source = source,
        Type = message.Type,
        DataContentType = message.ContentType,
        Time = DateTimeOffset.UtcNow,
        DataBase64 = Convert.ToBase64String(message.Data.Span),
    };

    /// <summary>The message this event carries, or null when it is not one we can read.</summary>
    public PubSubMessage? ToMessage()
    {
        if (string.IsNullOrEmpty(Id) || string.IsNullOrEmpty(Type))
        {
            return null;
        }
        byte[] data;
        if (DataBase64 is not null)
        {
            try
            {
                data = Convert.FromBase64String(DataBase64);
            }
            catch (FormatException)
            {
                return null;
            }
        }
        else if (Data is { } json)
        {
            data = JsonSerializer.SerializeToUtf8Bytes(json);
        }
        else
        {
            data = [];
        }
        return new PubSubMessage(Id, Type, data, DataContentType ?? "application/octet-stream");
    }
}
