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
        // Refused by grpc-dotnet before any service ran, yet with the same google.rpc details as every other error.
        Assert.Equal("MESSAGE_TOO_LARGE", IWouldArgue.Contracts.RpcErrors.ReasonOf(ex));
    }

    [Fact]
    public async Task AnUnknownMethod_IsUnimplemented_WithErrorInfo()
    {
        var unknown = new Method<byte[], byte[]>(MethodType.Unary, "iwouldargue.v1.DiagnosticsService", "NoSuchMethod", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Channel.CreateCallInvoker().AsyncUnaryCall(unknown, null, new CallOptions(), []));

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
        Assert.Equal("UNIMPLEMENTED", IWouldArgue.Contracts.RpcErrors.ReasonOf(ex));
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
