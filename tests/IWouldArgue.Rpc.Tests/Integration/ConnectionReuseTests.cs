using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

public class ConnectionReuseTests
{
    [Fact]
    public async Task SequentialCalls_OnOneChannel_ShareOneConnection()
    {
        await using var host = await RpcTestHost.StartAsync(app => app.MapRpcService<ConnectionReporter>());
        var client = new DiagnosticsService.Client(host.Channel);

        var connections = new HashSet<string>();
        for (var i = 0; i < 50; i++)
        {
            connections.Add((await client.EchoAsync(new EchoRequest())).Message);
        }

        Assert.Single(connections);
    }

    [Fact]
    public async Task ConcurrentStreams_OnOneChannel_AreMultiplexedOnFewConnections()
    {
        await using var host = await RpcTestHost.StartAsync(app => app.MapRpcService<ConnectionReporter>());
        var client = new DiagnosticsService.Client(host.Channel);
        // The channel's first connection, open and past its settings exchange: 50 calls arriving while it is
        // still being opened may each start one (seen on a loaded machine), which is not what this is about.
        var first = (await client.EchoAsync(new EchoRequest())).Message;

        var ids = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ => (await client.EchoAsync(new EchoRequest())).Message));

        // Kestrel allows 100 concurrent streams per connection, so 50 calls fit on the one open.
        Assert.Equal(first, Assert.Single(ids.Distinct()));
    }

    /// <summary>Answers Echo with the id of the HTTP connection the call came on.</summary>
    private sealed class ConnectionReporter : EchoOnlyDiagnostics
    {
        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
            Task.FromResult(new EchoResponse { Message = context.HttpContext.Connection.Id });
    }
}
