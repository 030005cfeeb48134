using System.Net;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Rpc.Tests.Integration;

/// <summary>
/// IServerStreamWriter.TryGetDirectWriter: encoded messages written straight into the response body, on
/// Kestrel and on our own HTTP/2 server, and the calls that must not get such a writer.
/// </summary>
public class DirectWriterTests
{
    private const string Direct = "direct";
    private const string ThroughCall = "through the call";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AfterTheFirstMessage_EncodedMessagesGoDirectly_AndArriveInOrder_ThenTheStatus(bool http2Server)
    {
        await using var host = await RpcTestHost.StartAsync(app => app.MapRpcService<DirectStreamer>(), http2Server: http2Server);
        var client = new DiagnosticsService.Client(http2Server ? RpcChannel.ForAddress(host.Http2ServerAddress!) : host.Channel);

        using var call = client.EchoStream(new EchoStreamRequest { Repeat = 200 });
        var received = new List<EchoStreamResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            received.Add(message);
        }

        Assert.Equal(Enumerable.Range(1, 200).Select(i => (uint)i), received.Select(m => m.Index));
        // Before anything was written the call has no headers ready, so no direct writer yet.
        Assert.Equal(ThroughCall, received[0].Message);
        Assert.All(received.Skip(1), m => Assert.Equal(Direct, m.Message));
        Assert.Equal(StatusCode.OK, call.GetStatus().Code);
    }

    [Fact]
    public async Task ACallWithADeadline_GetsNoDirectWriter()
    {
        await using var host = await RpcTestHost.StartAsync(app => app.MapRpcService<DirectStreamer>());
        var client = new DiagnosticsService.Client(host.Channel);

        using var call = client.EchoStream(new EchoStreamRequest { Repeat = 5 }, new CallOptions(Deadline: DateTime.UtcNow.AddMinutes(1)));
        var received = new List<EchoStreamResponse>();
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            received.Add(message);
        }

        Assert.Equal(5, received.Count);
        Assert.All(received, m => Assert.Equal(ThroughCall, m.Message));
    }

    [Theory]
    [InlineData("application/grpc-web", false, Direct)]
    [InlineData("application/grpc-web-text", true, ThroughCall)]
    public async Task GrpcWeb_BinaryGetsADirectWriter_TextDoesNot_AndBothCarryEveryMessage(string contentType, bool text, string laterMessages)
    {
        await using var host = await RpcTestHost.StartAsync(app => app.MapRpcService<DirectStreamer>());
        using var http = new HttpClient();
        var body = RawGrpc.Frame(new EchoStreamRequest { Repeat = 4 });
        var request = RawGrpc.WebRequest(host.WebAddress, "/iwouldargue.v1.DiagnosticsService/EchoStream", body, contentType, text, HttpVersion.Version11);

        using var response = await http.SendAsync(request);
        var frames = RawGrpc.WebFrames(await RawGrpc.ReadWebBody(response, text));

        Assert.Equal(5, frames.Count);
        var messages = frames.Take(4).Select(f => EchoStreamResponse.Parser.ParseFrom(f.Payload)).ToList();
        Assert.Equal(new uint[] { 1, 2, 3, 4 }, messages.Select(m => m.Index));
        Assert.All(messages.Skip(1), m => Assert.Equal(laterMessages, m.Message));
        Assert.Equal(0x80, frames[4].Flags);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhenThePeerCancels_TheDirectWriterSaysSo_InsteadOfWaitingForever(bool http2Server)
    {
        var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var host = await RpcTestHost.StartAsync(
            app => app.MapRpcService<DirectStreamer>(),
            services: s => s.AddSingleton(outcome),
            http2Server: http2Server);
        var client = new DiagnosticsService.Client(http2Server ? RpcChannel.ForAddress(host.Http2ServerAddress!) : host.Channel);

        using (var call = client.EchoStream(new EchoStreamRequest { Repeat = DirectStreamer.Endless, Message = "big" }))
        {
            Assert.True(await call.ResponseStream.MoveNext());
            Assert.True(await call.ResponseStream.MoveNext());
        }

        // The client reset the stream: the server's writes end, by a false result or the call's cancellation.
        Assert.NotEqual("still writing", await outcome.Task.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>
    /// Streams Repeat messages: the first through the call, the rest with the direct writer when the call
    /// offers one. Each says which way it went. Repeat = Endless writes 16 KiB messages until the peer is gone.
    /// </summary>
    private sealed class DirectStreamer(IServiceProvider services) : EchoOnlyDiagnostics
    {
        public const uint Endless = uint.MaxValue;

        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) => throw new NotSupportedException();

        public override async Task EchoStream(EchoStreamRequest request, IServerStreamWriter<EchoStreamResponse> responseStream, ServerCallContext context)
        {
            var early = responseStream.TryGetDirectWriter(out _);
            await responseStream.WriteAsync(new EchoStreamResponse { Index = 1, Message = early ? Direct : ThroughCall });
            var padding = request.Repeat == Endless ? new string('x', 16 * 1024) : "";
            var outcome = services.GetService(typeof(TaskCompletionSource<string>)) as TaskCompletionSource<string>;
            try
            {
                for (uint i = 2; i <= request.Repeat; i++)
                {
                    if (!responseStream.TryGetDirectWriter(out var writer))
                    {
                        await responseStream.WriteAsync(new EncodedMessage<EchoStreamResponse>(new EchoStreamResponse { Index = i, Message = ThroughCall }));
                        continue;
                    }
                    var message = new EncodedMessage<EchoStreamResponse>(new EchoStreamResponse { Index = i, Message = padding.Length > 0 ? padding : Direct });
                    if (!await writer.WriteAsync(message, context.CancellationToken))
                    {
                        outcome?.TrySetResult("peer gone");
                        return;
                    }
                }
                outcome?.TrySetResult("still writing");
            }
            catch (Exception ex)
            {
                outcome?.TrySetResult($"failed: {ex.GetType().Name}");
                throw;
            }
        }
    }
}
