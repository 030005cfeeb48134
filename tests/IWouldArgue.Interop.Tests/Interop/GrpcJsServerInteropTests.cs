using Grpc.Core;
using Grpc.Net.Client;
using IWouldArgue.Testing;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Interop.Tests.Infrastructure;

namespace IWouldArgue.Interop.Tests.Interop;

/// <summary>Our client, calling the independent @grpc/grpc-js server (tests/interop/grpcjs/server.mjs).</summary>
[Trait("Category", "Interop")]
public class GrpcJsServerInteropTests(GrpcJsServerInteropTests.Server server) : IClassFixture<GrpcJsServerInteropTests.Server>
{
    private readonly DiagnosticsService.DiagnosticsServiceClient _client = new(server.Channel);

    [Fact]
    public async Task Unary_AgainstGrpcJs_Echoes()
    {
        var response = await _client.EchoAsync(new EchoRequest { Message = "to grpc-js" });

        Assert.Equal("to grpc-js", response.Message);
    }

    [Fact]
    public async Task ServerStreaming_AgainstGrpcJs_ReceivesAllInOrder()
    {
        using var call = _client.EchoStream(new EchoStreamRequest { Message = "s", Repeat = 5 });

        var indexes = new List<uint>();
        await foreach (var m in call.ResponseStream.ReadAllAsync())
        {
            indexes.Add(m.Index);
        }

        Assert.Equal(new uint[] { 1, 2, 3, 4, 5 }, indexes);
    }

    [Fact]
    public async Task ClientStreaming_AgainstGrpcJs_IsCollected()
    {
        using var call = _client.EchoCollect();
        foreach (var m in new[] { "a", "b", "c" })
        {
            await call.RequestStream.WriteAsync(new EchoCollectRequest { Message = m });
        }
        await call.RequestStream.CompleteAsync();

        Assert.Equal(new[] { "a", "b", "c" }, (await call).Messages);
    }

    [Fact]
    public async Task DuplexStreaming_AgainstGrpcJs_PingPongs()
    {
        using var call = _client.EchoChat();
        for (var i = 1; i <= 3; i++)
        {
            await call.RequestStream.WriteAsync(new EchoChatRequest { Message = $"p{i}" });
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.Equal($"p{i}", call.ResponseStream.Current.Message);
        }
        await call.RequestStream.CompleteAsync();

        Assert.False(await call.ResponseStream.MoveNext());
    }

    [Fact]
    public async Task Deadline_AgainstGrpcJs_BothSidesSeeIt()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await _client.EchoAsync(new EchoRequest { DelayMs = 5_000 }, new CallOptions(deadline: DateTime.UtcNow.AddMilliseconds(200))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        await server.Node.WaitForLineAsync("CANCELLED Echo", TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Error_FromGrpcJs_CarriesMessageAndTrailers()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.EchoAsync(
            new EchoRequest { FailWithCode = (int)StatusCode.PermissionDenied, FailWithMessage = "Only the host may end it ☕ 100%" },
            new CallOptions(new Metadata { { "echo-reason", "interop" } })));

        Assert.Equal(StatusCode.PermissionDenied, ex.StatusCode);
        Assert.Equal("Only the host may end it ☕ 100%", ex.Status.Detail);
        Assert.Equal("interop", ex.Trailers.GetValue("echo-reason"));
    }

    [Fact]
    public async Task BinaryMetadata_AgainstGrpcJs_RoundTrips()
    {
        var blob = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        using var call = _client.EchoAsync(new EchoRequest(), new CallOptions(new Metadata { { "echo-blob-bin", blob } }));

        await call;

        Assert.Equal(blob, (await call.ResponseHeadersAsync).GetValueBytes("echo-blob-bin"));
        Assert.Equal(blob, call.GetTrailers().GetValueBytes("echo-blob-bin"));
    }

    [Fact]
    public async Task Message_3_9_MB_IsAcceptedByGrpcJs()
    {
        var payload = ByteString.CopyFrom(new byte[(int)(3.9 * 1024 * 1024)]);

        var response = await _client.EchoAsync(new EchoRequest { Payload = payload });

        Assert.Equal(payload.Length, response.Payload.Length);
    }

    [Fact]
    public async Task Message_4_1_MB_IsRefusedByGrpcJs()
    {
        using var channel = GrpcChannel.ForAddress(server.Address, new GrpcChannelOptions { MaxSendMessageSize = 8 * 1024 * 1024 });
        var payload = ByteString.CopyFrom(new byte[(int)(4.1 * 1024 * 1024)]);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new DiagnosticsService.DiagnosticsServiceClient(channel).EchoAsync(new EchoRequest { Payload = payload }));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    /// <summary>The grpc-js server process, shared by the tests of the class.</summary>
    public sealed class Server : IAsyncLifetime
    {
        public NodeProcess Node { get; private set; } = null!;

        public GrpcChannel Channel { get; private set; } = null!;

        public Uri Address { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Node = NodeProcess.StartScript("grpcjs/server.mjs");
            var port = (await Node.WaitForLineAsync("PORT ", TimeSpan.FromSeconds(30)))["PORT ".Length..];
            Address = new Uri($"http://127.0.0.1:{port}");
            Channel = GrpcChannel.ForAddress(Address);
        }

        public Task DisposeAsync()
        {
            Channel.Dispose();
            Node.Dispose();
            return Task.CompletedTask;
        }
    }
}
