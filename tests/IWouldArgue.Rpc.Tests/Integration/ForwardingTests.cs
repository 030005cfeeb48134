using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Rpc.Tests.Integration;

/// <summary>
/// The generated Forwarder relaying every call kind to another server (the gateway's job in the mesh):
/// everything a direct call does (<see cref="CallKindsBehavior"/>), messages flowing one at a time in both
/// directions, statuses and errors unchanged, and the caller's deadline reaching the upstream.
/// </summary>
public sealed class ForwardingTests : CallKindsBehavior, IAsyncLifetime
{
    private RpcTestHost _upstream = null!;
    private RpcTestHost _relay = null!;
    private DiagnosticsService.Client _client = null!;

    protected override DiagnosticsService.Client Client => _client;

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
    public async Task TheCallersDeadline_ReachesTheUpstream()
    {
        var started = DateTime.UtcNow;

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.EchoAsync(new EchoRequest { Message = "late", DelayMs = 10_000 }, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5));
    }
}
