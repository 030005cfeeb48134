using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Rpc.Tests.Integration;

/// <summary>
/// The generated Forwarder relaying every call kind to another server (the gateway's job in the mesh):
/// messages flow one at a time in both directions, statuses and errors come back unchanged, and the
/// caller's deadline reaches the upstream.
/// </summary>
public sealed class ForwardingTests : IAsyncLifetime
{
    private RpcTestHost _upstream = null!;
    private RpcTestHost _relay = null!;
    private DiagnosticsService.Client _client = null!;

    public async Task InitializeAsync()
    {
        _upstream = await RpcTestHost.StartAsync();
        _relay = await RpcTestHost.StartAsync(
            map: app => app.MapRpcService<DiagnosticsService.Forwarder>(),
            services: services => services.AddSingleton(_ => new DiagnosticsService.Forwarder(
                new DiagnosticsService.Client(_upstream.Channel),
                context => new CallOptions(null, context.Deadline == DateTime.MaxValue ? null : context.Deadline, context.CancellationToken))));
        _client = new DiagnosticsService.Client(_relay.Channel);
    }

    public async Task DisposeAsync()
    {
        await _relay.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Unary_IsRelayed_AndErrorsComeBackUnchanged()
    {
        var answer = await _client.EchoAsync(new EchoRequest { Message = "via relay" });
        var failure = await Assert.ThrowsAsync<RpcException>(async () => await _client.EchoAsync(new EchoRequest { FailWithCode = (int)StatusCode.FailedPrecondition }));

        Assert.Equal("via relay", answer.Message);
        Assert.Equal(StatusCode.FailedPrecondition, failure.StatusCode);
    }

    [Fact]
    public async Task ServerStreaming_IsRelayedMessageByMessage()
    {
        using var call = _client.EchoStream(new EchoStreamRequest { Message = "slow", Repeat = 3, IntervalMs = 300 });

        Assert.True(await call.ResponseStream.MoveNext());
        var firstArrived = DateTime.UtcNow;
        var count = 1;
        while (await call.ResponseStream.MoveNext())
        {
            count++;
        }

        Assert.Equal(3, count);
        Assert.True(call.ResponseStream.Current.SentAt.ToDateTime() > firstArrived, "the relay held the first message until the last was written");
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task ClientStreaming_IsRelayed()
    {
        using var call = _client.EchoCollect();
        for (var i = 0; i < 20; i++)
        {
            await call.RequestStream.WriteAsync(new EchoCollectRequest { Message = $"m{i}" });
        }
        await call.RequestStream.CompleteAsync();

        var response = await call;

        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"m{i}"), response.Messages);
    }

    [Fact]
    public async Task Duplex_IsRelayed_EachAnswerBeforeTheNextRequest()
    {
        using var call = _client.EchoChat();

        for (var i = 1; i <= 5; i++)
        {
            await call.RequestStream.WriteAsync(new EchoChatRequest { Message = $"ping {i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"ping {i}", call.ResponseStream.Current.Message);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task TheCallersDeadline_ReachesTheUpstream()
    {
        var started = DateTime.UtcNow;

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.EchoAsync(new EchoRequest { Message = "late", DelayMs = 10_000 }, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
