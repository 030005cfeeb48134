using System.Net;
using System.Text;
using Dapr.Client.Autogen.Grpc.v1;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IWouldArgue.BuildingBlocks.Tests;

/// <summary>
/// The app side of the Dapr adapters (the Dapr SDK's client and its ASP.NET Core subscription support), hosted for
/// real on a loopback port and pointed at a <see cref="RecordingDaprSidecar"/>. Contract tests: no Dapr runtime can
/// run on this machine, so these show what the SDK sends and what our endpoints answer, against our reading of Dapr's API.
/// </summary>
public sealed class DaprAppFixture : IAsyncLifetime
{
    private WebApplication _app = null!;

    public const string AppApiToken = "app-token";

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
            ["Dapr:GrpcEndpoint"] = Sidecar.Address.ToString(),
            ["Dapr:ApiToken"] = "sidecar-token",
            ["Dapr:AppId"] = "discussions",
            ["Dapr:AppApiToken"] = AppApiToken,
        });
        builder.Services.AddBuildingBlocks(builder.Configuration);
        _app = builder.Build();
        _app.MapBuildingBlocks();
        await _app.StartAsync();
        Sidecar.AppAddress = new Uri($"http://127.0.0.1:{port}");
        Sidecar.AppApiToken = AppApiToken;
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
    public async Task Save_SendsTheValueWithFirstWriteConcurrencyAndTtl_AndTheApiToken()
    {
        await Store.TrySaveAsync("route:d9", Bytes("x"));
        var etag = (await Store.GetAsync("route:d9"))!.ETag;

        await Store.TrySaveAsync("route:d9", Bytes("instance-2"), etag, TimeSpan.FromSeconds(29.5));

        var call = app.Sidecar.Calls.Last(c => c.Request is SaveStateRequest);
        var request = (SaveStateRequest)call.Request;
        Assert.Equal("statestore", request.StoreName);
        var item = Assert.Single(request.States);
        Assert.Equal("route:d9", item.Key);
        Assert.Equal("instance-2", item.Value.ToStringUtf8());
        Assert.Equal(etag, item.Etag.Value);
        Assert.Equal(StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite, item.Options.Concurrency);
        Assert.Equal("30", item.Metadata["ttlInSeconds"]);
        Assert.Equal("sidecar-token", call.Header("dapr-api-token"));
    }

    [Fact]
    public async Task Delete_WithETag_SendsIt_WithFirstWriteConcurrency()
    {
        await Store.TrySaveAsync("hands:d7", Bytes("x"));
        var etag = (await Store.GetAsync("hands:d7"))!.ETag;

        Assert.True(await Store.TryDeleteAsync("hands:d7", etag));

        var request = app.Sidecar.CallsOf<DeleteStateRequest>().Last();
        Assert.Equal("hands:d7", request.Key);
        Assert.Equal(etag, request.Etag.Value);
        Assert.Equal(StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite, request.Options.Concurrency);
    }
}

[Trait("Category", "Contract")]
public class DaprPubSubContractTests(DaprAppFixture app) : PubSubBehavior, IClassFixture<DaprAppFixture>
{
    private IPubSub PubSub => app.Services.GetRequiredService<IPubSub>();

    protected override Task<IPubSub> PubSubAsync() => Task.FromResult(PubSub);

    [Fact]
    public async Task Publish_SendsTheBytes_WithTheMessagesIdAndTypeAsTheCloudEvents()
    {
        await PubSub.PublishAsync("events.instance-1", new PubSubMessage("evt-42", "iwouldargue.v1.DiscussionEvent", new byte[] { 8, 42 }));

        var request = app.Sidecar.CallsOf<PublishEventRequest>().Last(r => r.Topic == "events.instance-1");
        Assert.Equal("pubsub", request.PubsubName);
        Assert.Equal(new byte[] { 8, 42 }, request.Data.ToByteArray());
        Assert.Equal("application/protobuf", request.DataContentType);
        Assert.Equal("evt-42", request.Metadata["cloudevent.id"]);
        Assert.Equal("iwouldargue.v1.DiscussionEvent", request.Metadata["cloudevent.type"]);
        Assert.Equal("discussions", request.Metadata["cloudevent.source"]);
    }

    [Fact]
    public async Task Publish_RefusedBySidecar_ThrowsWithTheReason()
    {
        app.Sidecar.PublishFailure = StatusCode.Unavailable;
        try
        {
            var ex = await Assert.ThrowsAsync<PubSubException>(() =>
                PubSub.PublishAsync("events.x", new PubSubMessage("e", "t", Array.Empty<byte>())));

            Assert.Contains("Unavailable", ex.Message, StringComparison.Ordinal);
            Assert.Contains("broker down", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            app.Sidecar.PublishFailure = null;
        }
    }

    [Fact]
    public async Task Subscribe_IsListedOnDaprSubscribe_WithItsRoute_AndLeavesItWhenDisposed()
    {
        using var http = new HttpClient();
        using (PubSub.Subscribe("events.listed", (_, _) => Task.FromResult(DeliveryResult.Success)))
        {
            var entry = (await Subscriptions(http)).Single(e => e.GetProperty("topic").GetString() == "events.listed");
            // As Dapr.AspNetCore writes it: Dapr reads "pubsubName" and resolves the route against the app's address.
            Assert.Equal("pubsub", entry.GetProperty("pubsubName").GetString());
            Assert.Equal("dapr/pubsub/events.listed", entry.GetProperty("route").GetString());
        }

        Assert.DoesNotContain(await Subscriptions(http), e => e.GetProperty("topic").GetString() == "events.listed");
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

        var (status, answer) = await Deliver(topic, cloudEvent);

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(expected, answer);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"specversion":"1.0","source":"s","data_base64":"AAE="}""")]
    [InlineData("""{"specversion":"1.0","id":"e","source":"s","data_base64":"AAE="}""")]
    public async Task Delivery_WithoutIdOrType_IsDropped(string body)
    {
        using var _ = PubSub.Subscribe("events.malformed", (_, _) => Task.FromResult(DeliveryResult.Success));

        Assert.Equal((HttpStatusCode.OK, "DROP"), await Deliver("events.malformed", body));
    }

    [Fact]
    public async Task Delivery_ToATopicWithoutSubscriber_Is404_WhichDaprDrops()
    {
        var (status, _) = await Deliver("events.nobody", """{"specversion":"1.0","id":"e","type":"t","data_base64":""}""");

        Assert.Equal(HttpStatusCode.NotFound, status);
    }

    [Fact]
    public async Task WithAnAppApiToken_OnlyTheSidecarMayDeliverOrReadTheSubscriptions()
    {
        var delivered = false;
        using var _ = PubSub.Subscribe("events.guarded", (_, _) =>
        {
            delivered = true;
            return Task.FromResult(DeliveryResult.Success);
        });
        using var http = new HttpClient();

        var (withoutToken, _) = await Deliver("events.guarded", """{"specversion":"1.0","id":"e","type":"t","data_base64":""}""", token: null);
        var (wrongToken, _) = await Deliver("events.guarded", """{"specversion":"1.0","id":"e","type":"t","data_base64":""}""", token: "guess");
        using var list = await http.GetAsync(new Uri(app.Sidecar.AppAddress!, "/dapr/subscribe"));

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongToken);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.False(delivered);
    }

    private async Task<List<System.Text.Json.JsonElement>> Subscriptions(HttpClient http)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.Sidecar.AppAddress!, "/dapr/subscribe"));
        request.Headers.Add("dapr-api-token", DaprAppFixture.AppApiToken);
        using var response = await http.SendAsync(request);
        return [.. System.Text.Json.JsonDocument.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync()).RootElement.EnumerateArray()];
    }

    private async Task<(HttpStatusCode Status, string? Answer)> Deliver(string topic, string body, string? token = DaprAppFixture.AppApiToken)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(app.Sidecar.AppAddress!, "/dapr/pubsub/" + topic))
        {
            Content = new StringContent(body, Encoding.UTF8, "application/cloudevents+json"),
        };
        if (token is not null)
        {
            request.Headers.Add("dapr-api-token", token);
        }
        using var response = await http.SendAsync(request);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return (response.StatusCode, null);
        }
        return (response.StatusCode, System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
    }
}
