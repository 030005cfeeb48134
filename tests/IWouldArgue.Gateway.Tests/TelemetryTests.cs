using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

/// <summary>OpenTelemetry export as an operator turns it on: OTEL_EXPORTER_OTLP_ENDPOINT, here an OTLP/HTTP collector stand-in that keeps what it is sent.</summary>
public sealed class TelemetryTests
{
    [Fact]
    public async Task WithAnOtlpEndpoint_TracesAndTheProductsOwnMetricsAreExported()
    {
        var received = new ConcurrentQueue<(string Path, string Body)>();
        var collectorPort = LoopbackPorts.Free();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, collectorPort));
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body);
            // OTLP/HTTP protobuf: metric and span names are plain UTF-8 inside.
            received.Enqueue((http.Request.Path, Encoding.UTF8.GetString(body.ToArray())));
        });
        await collector.StartAsync();
        await using var gateway = await GatewayHost.StartAsync(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "500",
        });

        var host = Bearer((await gateway.SignUpAsync("Host")).Tokens.AccessToken);
        var created = (await gateway.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Measured" }, host)).Discussion;
        await gateway.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, host);
        await gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "counted" }, host);

        var until = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < until && !AllExported())
        {
            await Task.Delay(100);
        }

        Assert.True(Has("/v1/traces", "PostComment"), "no span of the PostComment call reached the collector");
        Assert.True(Has("/v1/metrics", "iwouldargue.comments.appended"), "the product's own meter was not exported");
        Assert.True(Has("/v1/metrics", "http.server.request.duration"), "ASP.NET Core's metrics were not exported");

        // Each signal arrives in its own export, on its own schedule: wait for all of them, then say which is missing.
        bool AllExported() => Has("/v1/traces", "PostComment") && Has("/v1/metrics", "iwouldargue.comments.appended")
            && Has("/v1/metrics", "http.server.request.duration");
        bool Has(string path, string text) => received.Any(r => r.Path == path && r.Body.Contains(text, StringComparison.Ordinal));
    }
}
