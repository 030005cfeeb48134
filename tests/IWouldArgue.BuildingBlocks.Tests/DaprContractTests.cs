using System.Text;
using IWouldArgue.BuildingBlocks.Dapr;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.BuildingBlocks.Tests;

/// <summary>
/// The app side of the Dapr adapters, hosted for real on a loopback port and pointed at a
/// <see cref="RecordingDaprSidecar"/>. Contract tests: no Dapr runtime can run on this machine.
/// </summary>
public sealed class DaprAppFixture : IAsyncLifetime
{
    private WebApplication _app = null!;

    public RecordingDaprSidecar Sidecar { get; private set; } = null!;

    public IServiceProvider Services => _app.Services;

    public async Task InitializeAsync()
    {
        Sidecar = await RecordingDaprSidecar.StartAsync();
        var port = LoopbackPorts.Free();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["BuildingBlocks:Mode"] = "dapr",
            ["Dapr:HttpEndpoint"] = Sidecar.Address.ToString(),
            ["Dapr:ApiToken"] = "sidecar-token",
            ["Dapr:AppId"] = "discussions",
        });
        builder.Services.AddBuildingBlocks(builder.Configuration);
        _app = builder.Build();
        _app.MapDaprPubSub();
        await _app.StartAsync();
        Sidecar.AppAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Sidecar.DisposeAsync();
    }
}

[Trait("Category", "Contract")]
public class DaprStateStoreContractTests(DaprAppFixture app) : StateStoreBehavior, IClassFixture<DaprAppFixture>
{
    private IStateStore Store => app.Services.GetRequiredService<IStateStore>();

    protected override Task<IStateStore> StoreAsync() => Task.FromResult(Store);

    [Fact]
    public async Task Save_SendsTheDocumentedBody_WithETagConcurrencyAndTtl()
    {
        await Store.TrySaveAsync("route:d9", Bytes("x"));
        var etag = (await Store.GetAsync("route:d9"))!.ETag;

        await Store.TrySaveAsync("route:d9", Bytes("instance-2"), etag, TimeSpan.FromSeconds(30));

        var request = app.Sidecar.Requests.Last(r => r.Method == "POST" && r.Path == "/v1.0/state/statestore");
        var item = request.Json[0];
        Assert.Equal("route:d9", item.GetProperty("key").GetString());
        Assert.Equal("instance-2", Encoding.UTF8.GetString(Convert.FromBase64String(item.GetProperty("value").GetString()!)));
        Assert.Equal(etag, item.GetProperty("etag").GetString());
        Assert.Equal("first-write", item.GetProperty("options").GetProperty("concurrency").GetString());
        Assert.Equal("30", item.GetProperty("metadata").GetProperty("ttlInSeconds").GetString());
        Assert.Equal("sidecar-token", request.Headers["dapr-api-token"]);
    }

    [Fact]
    public async Task Delete_WithETag_SendsIfMatch()
    {
        await Store.TrySaveAsync("hands:d7", Bytes("x"));
        var etag = (await Store.GetAsync("hands:d7"))!.ETag;

        await Store.TryDeleteAsync("hands:d7", etag);

        var request = app.Sidecar.Requests.Last(r => r.Method == "DELETE");
        Assert.Equal("/v1.0/state/statestore/hands%3Ad7", request.Path);
        Assert.Equal(etag, request.Headers["if-match"]);
    }
}

[Trait("Category", "Contract")]
public class DaprPubSubContractTests(DaprAppFixture app) : PubSubBehavior, IClassFixture<DaprAppFixture>
{
    private IPubSub PubSub => app.Services.GetRequiredService<IPubSub>();

    protected override Task<IPubSub> PubSubAsync() => Task.FromResult(PubSub);

    [Fact]
    public async Task Publish_PostsACloudEventToThePublishApi()
    {
        await PubSub.PublishAsync("events.instance-1", new PubSubMessage("evt-42", "iwouldargue.v1.DiscussionEvent", new byte[] { 8, 42 }));

        var request = app.Sidecar.Requests.Last(r => r.Path == "/v1.0/publish/pubsub/events.instance-1");
        Assert.Equal("POST", request.Method);
        Assert.Equal("application/cloudevents+json", request.ContentType);
        var cloudEvent = request.Json;
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal("evt-42", cloudEvent.GetProperty("id").GetString());
        Assert.Equal("discussions", cloudEvent.GetProperty("source").GetString());
        Assert.Equal("iwouldargue.v1.DiscussionEvent", cloudEvent.GetProperty("type").GetString());
        Assert.Equal("application/protobuf", cloudEvent.GetProperty("datacontenttype").GetString());
        Assert.Equal(new byte[] { 8, 42 }, Convert.FromBase64String(cloudEvent.GetProperty("data_base64").GetString()!));
    }

    [Fact]
    public async Task Publish_RefusedBySidecar_ThrowsWithTheReason()
    {
        app.Sidecar.PublishFailure = 500;
        try
        {
            var ex = await Assert.ThrowsAsync<PubSubException>(() =>
                PubSub.PublishAsync("events.x", new PubSubMessage("e", "t", Array.Empty<byte>())));

            Assert.Contains("500", ex.Message, StringComparison.Ordinal);
            Assert.Contains("broker down", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            app.Sidecar.PublishFailure = null;
        }
    }

    [Fact]
    public async Task Subscribe_IsListedOnDaprSubscribe_WithItsRoute()
    {
        using var _ = PubSub.Subscribe("events.listed", (_, _) => Task.FromResult(DeliveryResult.Success));
        using var http = new HttpClient();

        var list = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(app.Sidecar.AppAddress!, "/dapr/subscribe"))).RootElement;

        var entry = list.EnumerateArray().Single(e => e.GetProperty("topic").GetString() == "events.listed");
        Assert.Equal("pubsub", entry.GetProperty("pubsubname").GetString());
        Assert.Equal("/dapr/pubsub/events.listed", entry.GetProperty("route").GetString());
    }

    [Theory]
    [InlineData("success", "SUCCESS")]
    [InlineData("retry", "RETRY")]
    [InlineData("drop", "DROP")]
    [InlineData("throw", "RETRY")]
    public async Task Delivery_AnswersDaprWithTheHandlersOutcome(string behaviour, string expected)
    {
        var topic = "events.outcome-" + behaviour;
        using var _ = PubSub.Subscribe(topic, (_, _) => behaviour switch
        {
            "success" => Task.FromResult(DeliveryResult.Success),
            "retry" => Task.FromResult(DeliveryResult.Retry),
            "drop" => Task.FromResult(DeliveryResult.Drop),
            _ => throw new InvalidOperationException("handler bug"),
        });
        var cloudEvent = """{"specversion":"1.0","id":"e1","source":"s","type":"t","datacontenttype":"application/protobuf","data_base64":"AAE="}""";

        var answer = await Deliver(topic, cloudEvent);

        Assert.Equal(expected, answer);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"specversion":"1.0","source":"s"}""")]
    [InlineData("""{"specversion":"1.0","id":"e","type":"t","data_base64":"%%%"}""")]
    public async Task Delivery_MalformedEvent_IsDropped(string body)
    {
        using var _ = PubSub.Subscribe("events.malformed", (_, _) => Task.FromResult(DeliveryResult.Success));

        Assert.Equal("DROP", await Deliver("events.malformed", body));
    }

    [Fact]
    public async Task Delivery_ToATopicWithoutSubscriber_IsDropped()
    {
        Assert.Equal("DROP", await Deliver("events.nobody", """{"specversion":"1.0","id":"e","type":"t","data_base64":""}"""));
    }

    private async Task<string?> Deliver(string topic, string body)
    {
        using var http = new HttpClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/cloudevents+json");
        using var response = await http.PostAsync(new Uri(app.Sidecar.AppAddress!, "/dapr/pubsub/" + topic), content);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
    }
}
