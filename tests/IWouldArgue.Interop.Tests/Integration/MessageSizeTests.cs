using Grpc.Core;
using Grpc.Net.Client;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Interop.Tests.Infrastructure;

namespace IWouldArgue.Interop.Tests.Integration;

public class MessageSizeTests(InteropHostFixture fixture) : IClassFixture<InteropHostFixture>
{
    private static readonly int Limit = 4 * 1024 * 1024;

    [Fact]
    public async Task Request_JustUnderFourMegabytes_IsAccepted()
    {
        var payload = ByteString.CopyFrom(new byte[(int)(3.9 * 1024 * 1024)]);

        var response = await new DiagnosticsService.DiagnosticsServiceClient(fixture.Channel).EchoAsync(new EchoRequest { Payload = payload });

        Assert.Equal(payload.Length, response.Payload.Length);
    }

    [Fact]
    public async Task Request_OverFourMegabytes_IsRefusedByTheServer()
    {
        // A channel that may send more than the server accepts, so the server's limit is what is tested.
        using var channel = GrpcChannel.ForAddress(fixture.Host.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = 2 * Limit });
        var payload = ByteString.CopyFrom(new byte[(int)(4.1 * 1024 * 1024)]);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new DiagnosticsService.DiagnosticsServiceClient(channel).EchoAsync(new EchoRequest { Payload = payload }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task Response_OverTheClientsLimit_IsRefusedByTheClient()
    {
        using var channel = GrpcChannel.ForAddress(fixture.Host.GrpcAddress, new GrpcChannelOptions { MaxReceiveMessageSize = 1024 });

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await new DiagnosticsService.DiagnosticsServiceClient(channel).EchoAsync(new EchoRequest { Payload = ByteString.CopyFrom(new byte[2048]) }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }
}
