using System.Buffers.Binary;
using System.Text;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Http2;
using IWouldArgue.Http2.Hpack;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Http2Server;

/// <summary>Our HTTP/2 server frame by frame (RFC 9113): what it must answer, refuse and hold back.</summary>
public sealed class Http2ServerProtocolTests(Http2ServerFixture fixture) : IClassFixture<Http2ServerFixture>
{
    private const string Echo = "/iwouldargue.v1.DiagnosticsService/Echo";
    private const string EchoStream = "/iwouldargue.v1.DiagnosticsService/EchoStream";

    [Fact]
    public async Task Settings_ServerAdvertisesItsStreamLimit_AndAcknowledgesOurs()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);

        var settings = await client.NextAsync(f => f.Type == FrameType.Settings && f.Flags == 0);
        var ack = await client.NextAsync(f => f.Type == FrameType.Settings && f.Flags == Frames.Ack);

        Assert.Equal((uint)Http2ServerFixture.MaxStreams, SettingOf(settings!, Frames.SettingsMaxConcurrentStreams));
        Assert.Empty(ack!.Payload);
    }

    [Fact]
    public async Task Ping_IsAnswered_WithAnAckCarryingTheSamePayload()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);

        await client.SendAsync(FrameType.Ping, 0, 0, [1, 2, 3, 4, 5, 6, 7, 8]);
        var pong = await client.NextAsync(f => f.Type == FrameType.Ping);

        Assert.Equal(Frames.Ack, pong!.Flags);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, pong.Payload);
    }

    [Fact]
    public async Task SmallStreamWindow_ServerSendsNoMoreThanTheWindow_AndTheRestOnceCredited()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address, (Frames.SettingsInitialWindowSize, 16));
        var payload = ByteString.CopyFrom(Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray());

        await client.StartCallAsync(1, Echo, new EchoRequest { Message = "windowed", Payload = payload });
        var held = await client.DrainAsync(TimeSpan.FromMilliseconds(500));
        await client.SendAsync(FrameType.WindowUpdate, 0, 1, RawHttp2Client.WindowUpdate(100_000));
        var rest = await client.DrainAsync(TimeSpan.FromMilliseconds(500));

        var heldData = held.Where(f => f.Type == FrameType.Data && f.StreamId == 1).Sum(f => f.Payload.Length);
        Assert.Equal(16, heldData);
        Assert.DoesNotContain(held, f => f.StreamId == 1 && (f.Flags & Frames.EndStream) != 0);
        var body = held.Concat(rest).Where(f => f.Type == FrameType.Data && f.StreamId == 1).SelectMany(f => f.Payload).ToArray();
        var response = EchoResponse.Parser.ParseFrom(body.AsSpan(5));
        Assert.Equal(payload, response.Payload);
        var trailers = Assert.Single(rest, f => f.Type == FrameType.Headers && f.StreamId == 1);
        Assert.Equal(Frames.EndStream | Frames.EndHeaders, trailers.Flags);
    }

    [Fact]
    public async Task StreamsBeyondTheLimit_OnceOurSettingsAreAcknowledged_AreRefused_TheOthersCarryOn()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);
        await client.AcknowledgeSettingsAsync();
        var slow = new EchoStreamRequest { Message = "slow", Repeat = 2, IntervalMs = 1000 };

        for (var i = 0; i < Http2ServerFixture.MaxStreams; i++)
        {
            await client.StartCallAsync(1 + 2 * i, EchoStream, slow);
        }
        var beyond = 1 + 2 * Http2ServerFixture.MaxStreams;
        await client.StartCallAsync(beyond, EchoStream, slow);

        var refused = await client.NextAsync(f => f.Type == FrameType.RstStream);
        Assert.Equal(beyond, refused!.StreamId);
        Assert.Equal((uint)Http2ErrorCode.RefusedStream, refused.ErrorCode);
        var ended = await client.NextAsync(f => f.Type == FrameType.Headers && f.StreamId == 1 && (f.Flags & Frames.EndStream) != 0);
        Assert.NotNull(ended);
    }

    [Fact]
    public async Task RapidResets_CloseTheConnection_WithEnhanceYourCalm()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);
        var slow = new EchoStreamRequest { Message = "slow", Repeat = 2, IntervalMs = 1000 };

        for (var i = 0; i <= Http2ServerFixture.MaxResets; i++)
        {
            await client.StartCallAsync(1 + 2 * i, EchoStream, slow);
            await client.SendAsync(FrameType.RstStream, 0, 1 + 2 * i, RawHttp2Client.ErrorCodePayload(Http2ErrorCode.Cancel));
        }

        var goAway = await client.NextAsync(f => f.Type == FrameType.GoAway);
        Assert.Equal((uint)Http2ErrorCode.EnhanceYourCalm, goAway!.ErrorCode);
        Assert.Null(await client.NextAsync(_ => false));
    }

    [Fact]
    public async Task DataOnStreamZero_ClosesTheConnection_WithProtocolError()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);

        await client.SendAsync(FrameType.Data, 0, 0, [0]);

        var goAway = await client.NextAsync(f => f.Type == FrameType.GoAway);
        Assert.Equal((uint)Http2ErrorCode.ProtocolError, goAway!.ErrorCode);
    }

    [Fact]
    public async Task HeaderBlockInterrupted_ClosesTheConnection_WithProtocolError()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);

        await client.SendAsync(FrameType.Headers, 0, 1, RawHttp2Client.RequestBlock(Echo));
        await client.SendAsync(FrameType.Ping, 0, 0, new byte[8]);

        var goAway = await client.NextAsync(f => f.Type == FrameType.GoAway);
        Assert.Equal((uint)Http2ErrorCode.ProtocolError, goAway!.ErrorCode);
    }

    [Fact]
    public async Task UppercaseHeaderName_ResetsThatStream_TheConnectionLivesOn()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);

        await client.StartCallAsync(1, Echo, new EchoRequest { Message = "x" }, ("X-Upper", "1"));
        var reset = await client.NextAsync(f => f.Type == FrameType.RstStream);
        await client.StartCallAsync(3, Echo, new EchoRequest { Message = "still here" });
        var answered = await client.NextAsync(f => f.Type == FrameType.Headers && f.StreamId == 3 && (f.Flags & Frames.EndStream) != 0);

        Assert.Equal(1, reset!.StreamId);
        Assert.Equal((uint)Http2ErrorCode.ProtocolError, reset.ErrorCode);
        Assert.NotNull(answered);
    }

    [Fact]
    public async Task HeaderListOverTheLimit_IsAnswered431()
    {
        await using var client = await RawHttp2Client.ConnectAsync(fixture.Address);

        await client.StartCallAsync(1, Echo, new EchoRequest { Message = "x" }, ("x-big", new string('a', Http2ServerFixture.MaxHeaderListSize + 200)));
        var answer = await client.NextAsync(f => f.Type == FrameType.Headers && f.StreamId == 1);

        Assert.Equal(Frames.EndStream | Frames.EndHeaders, answer!.Flags);
        var fields = new List<string>();
        new HpackDecoder(4096, 16 * 1024).Decode(answer.Payload, (name, value) => fields.Add($"{name}: {value}"));
        Assert.Equal([":status: 431"], fields);
    }

    [Fact]
    public async Task IdleConnection_IsClosedWithGoAway_ButNotWhileAStreamIsOpen()
    {
        await using var host = await RpcTestHost.StartAsync(http2Server: true, settings: new Dictionary<string, string?>
        {
            ["Http2Server:Limits:IdleTimeout"] = "00:00:00.400",
        });
        await using var busy = await RawHttp2Client.ConnectAsync(host.Http2ServerAddress!);
        await using var idle = await RawHttp2Client.ConnectAsync(host.Http2ServerAddress!);

        await busy.StartCallAsync(1, EchoStream, new EchoStreamRequest { Message = "slow", Repeat = 3, IntervalMs = 700 });
        var goAway = await idle.NextAsync(f => f.Type == FrameType.GoAway);
        var ended = await busy.NextAsync(f => f.Type == FrameType.Headers && f.StreamId == 1 && (f.Flags & Frames.EndStream) != 0);

        Assert.Equal((uint)Http2ErrorCode.NoError, goAway!.ErrorCode);
        Assert.Null(await idle.NextAsync(_ => false));
        Assert.NotNull(ended);
    }

    [Fact]
    public async Task NotHttp2_TheConnectionIsClosed()
    {
        using var tcp = new System.Net.Sockets.TcpClient();
        await tcp.ConnectAsync(fixture.Address.Host, fixture.Address.Port);
        var stream = tcp.GetStream();

        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        var read = await stream.ReadAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, read);
    }

    private static uint? SettingOf(RawHttp2Client.Frame settings, ushort id)
    {
        for (var at = 0; at < settings.Payload.Length; at += 6)
        {
            if (BinaryPrimitives.ReadUInt16BigEndian(settings.Payload.AsSpan(at)) == id)
            {
                return BinaryPrimitives.ReadUInt32BigEndian(settings.Payload.AsSpan(at + 2));
            }
        }
        return null;
    }
}
