using System.Text.Json;
using IWouldArgue.Interop.Tests.Infrastructure;
using IWouldArgue.Testing;

namespace IWouldArgue.Interop.Tests.Interop;

/// <summary>
/// A real browser: Debian's Chromium, driven by playwright-core, runs a page that calls our server over
/// gRPC-Web with @protobuf-ts/grpcweb-transport from another origin (tests/interop/browser).
/// </summary>
[Trait("Category", "Browser")]
public class BrowserGrpcWebTests
{
    [Theory]
    [InlineData("binary")]
    [InlineData("text")]
    public async Task Chromium_UnaryStreamAndError_WorkCrossOrigin(string format)
    {
        var pagePort = LoopbackPorts.Free();
        await using var host = await InteropHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Rpc:CorsOrigins:0"] = $"http://127.0.0.1:{pagePort}",
        });

        var (exit, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromMinutes(3), "node", "browser/run.mjs", host.WebAddress.ToString().TrimEnd('/'), pagePort.ToString(System.Globalization.CultureInfo.InvariantCulture), format);

        Assert.True(exit == 0, errors);
        using var json = JsonDocument.Parse(output.Last(l => l.StartsWith('{')));
        var page = json.RootElement;
        Assert.False(page.TryGetProperty("failure", out var failure), failure.ToString());
        Assert.Equal($"hello over {format}", page.GetProperty("unaryMessage").GetString());
        Assert.Equal("[1,2,3]", page.GetProperty("unaryPayload").GetRawText());
        Assert.Equal("[1,2,3,4,5]", page.GetProperty("streamIndexes").GetRawText());
        Assert.True(page.GetProperty("firstArrivedBeforeLastSent").GetBoolean(), "the browser got the stream's messages only at its end");
        Assert.Equal("OK", page.GetProperty("streamStatus").GetString());
        Assert.Equal("NOT_FOUND", page.GetProperty("errorCode").GetString());
        Assert.Equal("no such discussion", page.GetProperty("errorMessage").GetString());
        Assert.Equal(0, page.GetProperty("pageErrors").GetArrayLength());
    }
}
