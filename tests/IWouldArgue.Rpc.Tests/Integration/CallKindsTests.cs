using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

/// <summary>Every call kind, straight to the server.</summary>
public sealed class CallKindsTests(RpcHostFixture fixture) : CallKindsBehavior, IClassFixture<RpcHostFixture>
{
    protected override DiagnosticsService.Client Client { get; } = new(fixture.Host.Channel);
}

/// <summary>What every call kind must do, wherever the client reaches the service from (directly or relayed).</summary>
public abstract class CallKindsBehavior
{
    protected abstract DiagnosticsService.Client Client { get; }

    [Fact]
    public async Task Unary_Echo_ReturnsWhatWasSent()
    {
        var response = await Client.EchoAsync(new EchoRequest { Message = "hello", Payload = ByteString.CopyFrom(1, 2, 3) });

        Assert.Equal("hello", response.Message);
        Assert.Equal(new byte[] { 1, 2, 3 }, response.Payload.ToByteArray());
    }

    [Fact]
    public async Task ServerStreaming_EchoStream_DeliversEveryMessageInOrder()
    {
        using var call = Client.EchoStream(new EchoStreamRequest { Message = "tick", Repeat = 50 });

        var indexes = new List<uint>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(message.Index);
        }

        Assert.Equal(Enumerable.Range(1, 50).Select(i => (uint)i), indexes);
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task ServerStreaming_SlowStream_DeliversFirstMessageBeforeTheLastIsWritten()
    {
        using var call = Client.EchoStream(new EchoStreamRequest { Message = "slow", Repeat = 3, IntervalMs = 300 });

        Assert.True(await call.ResponseStream.MoveNext());
        var firstArrived = DateTime.UtcNow;
        while (await call.ResponseStream.MoveNext())
        {
        }

        Assert.True(call.ResponseStream.Current.SentAt.ToDateTime() > firstArrived, "the first message arrived only after the last was written");
    }

    [Fact]
    public async Task ClientStreaming_EchoCollect_ReceivesAllMessagesInOrder()
    {
        using var call = Client.EchoCollect();
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoCollectRequest { Message = $"m{i}" });
        }
        await call.RequestStream.CompleteAsync();

        var response = await call;

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), response.Messages);
    }

    [Fact]
    public async Task DuplexStreaming_EchoChat_AnswersEachMessageBeforeTheNextIsSent()
    {
        using var call = Client.EchoChat();

        for (var i = 1; i <= 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoChatRequest { Message = $"ping {i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Message);
            Assert.Equal((uint)i, call.ResponseStream.Current.Index);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task ManyConcurrentCalls_OnOneChannel_AllSucceed()
    {
        var calls = Enumerable.Range(0, 200).Select(async i => (await Client.EchoAsync(new EchoRequest { Message = $"c{i}" })).Message);

        var results = await Task.WhenAll(calls);

        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"c{i}"), results);
    }
}
