using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

public class DeadlineAndCancellationTests
{
    private const int DeadlineExceededEvent = 2;

    [Fact]
    public async Task Deadline_ExpiresBeforeAnswer_ClientAndServerBothSeeDeadlineExceeded()
    {
        await using var host = await RpcTestHost.StartAsync();
        var client = new DiagnosticsService.Client(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.EchoAsync(new EchoRequest { Message = "late", DelayMs = 5_000 }, new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(200))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.True(await host.Logs.WaitForAsync(DeadlineExceededEvent, TimeSpan.FromSeconds(5)), "the server did not notice the deadline");
    }

    [Fact]
    public async Task Deadline_ServerSide_AnswersDeadlineExceededWhenClientKeepsWaiting()
    {
        await using var host = await RpcTestHost.StartAsync();
        using var http = RawGrpc.Http2Client();
        var request = RawGrpc.Post(host.GrpcAddress, "/iwouldargue.v1.DiagnosticsService/Echo", RawGrpc.Frame(new EchoRequest { DelayMs = 10_000 }));
        request.Headers.TryAddWithoutValidation("grpc-timeout", "300m");

        var started = DateTime.UtcNow;
        using var response = await http.SendAsync(request);
        var (status, _) = await RawGrpc.StatusOf(response);

        Assert.Equal((int)StatusCode.DeadlineExceeded, status);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "the server waited for the handler instead of the deadline");
    }

    [Fact]
    public async Task Deadline_AlreadyPassed_FailsWithoutCallingTheServer()
    {
        await using var host = await RpcTestHost.StartAsync();
        var client = new DiagnosticsService.Client(host.Channel);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.EchoAsync(new EchoRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task Cancel_DuringServerStream_ClientSeesCancelledAndServerStops()
    {
        await using var host = await RpcTestHost.StartAsync();
        var client = new DiagnosticsService.Client(host.Channel);
        using var cts = new CancellationTokenSource();
        using var call = client.EchoStream(new EchoStreamRequest { Repeat = 1000, IntervalMs = 50 }, new CallOptions(CancellationToken: cts.Token));

        Assert.True(await call.ResponseStream.MoveNext());
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await call.ResponseStream.MoveNext())
            {
            }
        });

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        // The server's handler sees its token cancelled and ends without logging an unhandled error.
        await Task.Delay(300);
        Assert.DoesNotContain(host.Logs.Entries, e => e.Id.Id == 1 && e.Category == "IWouldArgue.Rpc.Server");
    }
}
