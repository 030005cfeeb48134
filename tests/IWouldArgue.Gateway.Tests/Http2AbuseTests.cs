using System.Text;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// HTTP/2 abuse against the gateway's gRPC port as it runs (Kestrel with the gateway's appsettings), frame by
/// frame: each attack ends with the connection closed or the request refused, never held or echoed.
/// </summary>
[Trait("Category", "Abuse")]
public sealed class Http2AbuseTests : IAsyncLifetime
{
    private const string Echo = "/iwouldargue.v1.DiagnosticsService/Echo";
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task AHeaderBlockNeverFinished_WithEndlessEmptyContinuations_ClosesTheConnection()
    {
        await using var client = await RawHttp2Client.ConnectAsync(_gateway.GrpcAddress);
        await client.SendAsync(RawHttp2Client.Headers, 0, 1, RawHttp2Client.RequestBlock(Echo));

        // Empty frames never grow the block, so Kestrel's header size limit never trips: ContinuationGuard counts them.
        for (var i = 0; i < 10_000 && !client.Closed; i++)
        {
            await client.SendAsync(RawHttp2Client.Continuation, 0, 1, []);
        }

        Assert.True(await ClosedAsync(client, TimeSpan.FromSeconds(10)), "the server kept reading CONTINUATION frames of a block that never ends");
    }

    [Fact]
    public async Task AnHpackBomb_ASmallBlockThatDecodesToMegabytes_IsRefused()
    {
        await using var client = await RawHttp2Client.ConnectAsync(_gateway.GrpcAddress);
        // One 4 KiB header put in the dynamic table, then referenced 2,000 times by one byte each: a 6 KB block
        // that decodes to 8 MB of headers, far past the gateway's 32 KiB limit.
        var block = new List<byte>(RawHttp2Client.RequestBlock(Echo));
        block.AddRange(RawHttp2Client.IndexedLiteral("x-bomb", new string('b', 4096)));
        for (var i = 0; i < 2000; i++)
        {
            block.AddRange(RawHttp2Client.FirstDynamicEntry());
        }
        await client.SendAsync(RawHttp2Client.Headers, RawHttp2Client.EndHeaders | RawHttp2Client.EndStream, 1, [.. block]);

        var answer = await client.NextAsync(f => f.StreamId == 1 || f.Type == RawHttp2Client.GoAway);

        Assert.True(answer is null || answer.Type is RawHttp2Client.GoAway or RawHttp2Client.RstStream || Status(answer) == "431",
            $"the server answered a header list of 8 MB with frame type {answer?.Type}");
    }

    [Fact]
    public async Task AHeaderValueWithCrLf_IsRefused_NotEchoed()
    {
        await using var client = await RawHttp2Client.ConnectAsync(_gateway.GrpcAddress);

        await client.StartCallAsync(1, Echo, new EchoRequest { Message = "x" }, ("echo-injected", "a\r\nset-cookie: stolen=1"));
        var frames = new List<RawHttp2Client.Frame>();
        while (await client.NextAsync(f => f.StreamId == 1 || f.Type == RawHttp2Client.GoAway, TimeSpan.FromSeconds(5)) is { } frame)
        {
            frames.Add(frame);
            if (frame.Type is RawHttp2Client.GoAway or RawHttp2Client.RstStream || (frame.Flags & RawHttp2Client.EndStream) != 0)
            {
                break;
            }
        }

        Assert.Contains(frames, f => f.Type is RawHttp2Client.RstStream or RawHttp2Client.GoAway);
        Assert.DoesNotContain(frames, f => Encoding.Latin1.GetString(f.Payload).Contains("stolen", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHeaderBlockSplitInAFewContinuations_IsServed()
    {
        await using var client = await RawHttp2Client.ConnectAsync(_gateway.GrpcAddress);
        var block = RawHttp2Client.RequestBlock(Echo);
        var third = block.Length / 3;

        await client.SendAsync(RawHttp2Client.Headers, 0, 1, block[..third]);
        await client.SendAsync(RawHttp2Client.Continuation, 0, 1, block[third..(2 * third)]);
        await client.SendAsync(RawHttp2Client.Continuation, RawHttp2Client.EndHeaders, 1, block[(2 * third)..]);
        await client.SendAsync(RawHttp2Client.Data, RawHttp2Client.EndStream, 1, [0, 0, 0, 0, 0]);

        var response = await client.NextAsync(f => f.StreamId == 1 && f.Type == RawHttp2Client.Headers);
        Assert.NotNull(response);
        Assert.False(client.Closed);
    }

    [Fact]
    public async Task ResponsesHeldAtAZeroWindow_CloseTheConnection_InsteadOfPinningItsBuffers()
    {
        // Ask for 5 MB on each of 20 streams and never let it flow: Kestrel's minimum response data rate ends it.
        await using var client = await RawHttp2Client.ConnectAsync(_gateway.GrpcAddress, (RawHttp2Client.SettingsInitialWindowSize, 0));
        var chunk = new EchoStreamRequest { Message = new string('z', 10_000), Repeat = 500 };
        for (var stream = 1; stream < 40; stream += 2)
        {
            await client.StartCallAsync(stream, "/iwouldargue.v1.DiagnosticsService/EchoStream", chunk);
        }
        Assert.NotNull(await client.NextAsync(f => f.Type == RawHttp2Client.Headers && f.StreamId == 1));

        Assert.True(await ClosedAsync(client, TimeSpan.FromSeconds(30)), "the server held 20 responses at a zero window for 30 s");
    }

    private static async Task<bool> ClosedAsync(RawHttp2Client client, TimeSpan within)
    {
        try
        {
            var goAwayOrEnd = await client.NextAsync(f => f.Type == RawHttp2Client.GoAway, within);
            return goAwayOrEnd is null || await client.NextAsync(_ => false, within) is null;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    // The :status of a response HEADERS frame as Kestrel encodes it (HPACK static table: 8 = 200, 13 = 404, ...),
    // or "431" when the block spells it literally.
    private static string Status(RawHttp2Client.Frame frame) =>
        frame.Type == RawHttp2Client.Headers && Encoding.Latin1.GetString(frame.Payload).Contains("431", StringComparison.Ordinal) ? "431" : "other";
}
