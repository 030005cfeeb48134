using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

public class MessageSizeTests(RpcHostFixture fixture) : IClassFixture<RpcHostFixture>
{
    private static readonly int Limit = 4 * 1024 * 1024;

    [Fact]
    public async Task Request_JustUnderFourMegabytes_IsAccepted()
    {
        var payload = ByteString.CopyFrom(new byte[(int)(3.9 * 1024 * 1024)]);

        var response = await new DiagnosticsService.Client(fixture.Host.Channel).EchoAsync(new EchoRequest { Payload = payload });

        Assert.Equal(payload.Length, response.Payload.Length);
    }

    [Fact]
    public async Task Request_OverFourMegabytes_IsRefusedByTheServer()
    {
        // A channel that may send more than the server accepts, so the server's limit is what is tested.
        using var channel = RpcChannel.ForAddress(fixture.Host.GrpcAddress, new RpcChannelOptions { MaxSendMessageSize = 2 * Limit });
        var payload = ByteString.CopyFrom(new byte[(int)(4.1 * 1024 * 1024)]);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new DiagnosticsService.Client(channel).EchoAsync(new EchoRequest { Payload = payload }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Request_OverFourMegabytes_IsRefusedByTheClientBeforeSending()
    {
        var payload = ByteString.CopyFrom(new byte[(int)(4.1 * 1024 * 1024)]);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new DiagnosticsService.Client(fixture.Host.Channel).EchoAsync(new EchoRequest { Payload = payload }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("Sending message", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Response_OverTheClientsLimit_IsRefusedByTheClient()
    {
        using var channel = RpcChannel.ForAddress(fixture.Host.GrpcAddress, new RpcChannelOptions { MaxReceiveMessageSize = 1024 });

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await new DiagnosticsService.Client(channel).EchoAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2048]) }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task PerServiceLimit_OverridesTheServerDefault()
    {
        await using var host = await RpcTestHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Rpc:Services:iwouldargue.v1.DiagnosticsService:MaxReceiveMessageSize"] = "1000",
        });
        var client = new DiagnosticsService.Client(host.Channel);

        await client.EchoAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[900]) });
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await client.EchoAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[1100]) }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
