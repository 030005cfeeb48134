using System.Net;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

public class BadInputTests(RpcHostFixture fixture) : IClassFixture<RpcHostFixture>
{
    private const string EchoPath = "/iwouldargue.v1.DiagnosticsService/Echo";

    public static TheoryData<string, byte[], int> MalformedBodies => new()
    {
        { "truncated frame", RawGrpc.Frame(new EchoRequest { Message = "hello" })[..^2], (int)StatusCode.Internal },
        { "truncated header", new byte[] { 0, 0, 0 }, (int)StatusCode.Internal },
        { "compressed flag without grpc-encoding", RawGrpc.Frame(new EchoRequest { Message = "x" }, flags: 1), (int)StatusCode.Internal },
        { "oversized length prefix", [0, 0x7F, 0xFF, 0xFF, 0xFF], (int)StatusCode.ResourceExhausted },
        { "not a protobuf message", RawGrpc.Frame([0xFF, 0xFF, 0xFF]), (int)StatusCode.Internal },
        { "no message at all", [], (int)StatusCode.Internal },
        { "two messages for a unary method", [.. RawGrpc.Frame(new EchoRequest()), .. RawGrpc.Frame(new EchoRequest())], (int)StatusCode.Internal },
    };

    [Theory]
    [MemberData(nameof(MalformedBodies))]
    public async Task MalformedBody_IsAnsweredWithTheSpecsStatus_AndTheServerKeepsServing(string why, byte[] body, int expected)
    {
        using var http = RawGrpc.Http2Client();

        using var response = await http.SendAsync(RawGrpc.Post(fixture.Host.GrpcAddress, EchoPath, body));
        var (status, message) = await RawGrpc.StatusOf(response);

        Assert.True(expected == status, $"{why}: expected {expected}, got {status} ({message})");
        var next = await new DiagnosticsService.Client(fixture.Host.Channel).EchoAsync(new EchoRequest { Message = "still here" });
        Assert.Equal("still here", next.Message);
    }

    [Fact]
    public async Task WrongContentType_Is415WithInternalStatus()
    {
        using var http = RawGrpc.Http2Client();

        using var response = await http.SendAsync(RawGrpc.Post(fixture.Host.GrpcAddress, EchoPath, RawGrpc.Frame(new EchoRequest()), "application/json"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("13", response.Headers.GetValues("grpc-status").Single());
    }

    [Fact]
    public async Task UnsupportedEncoding_IsUnimplementedAndNamesWhatIsSupported()
    {
        using var http = RawGrpc.Http2Client();
        var request = RawGrpc.Post(fixture.Host.GrpcAddress, EchoPath, RawGrpc.Frame(new EchoRequest(), flags: 1));
        request.Headers.TryAddWithoutValidation("grpc-encoding", "snappy");

        using var response = await http.SendAsync(request);
        var (status, message) = await RawGrpc.StatusOf(response);

        Assert.Equal((int)StatusCode.Unimplemented, status);
        Assert.Contains("identity", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NativeGrpcOverHttp1_IsRefusedWithUpgradeRequired()
    {
        using var http = new HttpClient();

        using var response = await http.SendAsync(RawGrpc.Post(fixture.Host.WebAddress, EchoPath, RawGrpc.Frame(new EchoRequest()), version: HttpVersion.Version11));

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
    }

    [Fact]
    public async Task UnhandledException_IsInternalWithoutInternals_AndIsLogged()
    {
        await using var host = await RpcTestHost.StartAsync(app => app.MapRpcService<ThrowingDiagnostics>());

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new DiagnosticsService.Client(host.Channel).EchoAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.DoesNotContain("connection string", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.Id.Id == 1 && e.Category == "IWouldArgue.Rpc.Server" && e.Message.Contains("connection string", StringComparison.Ordinal));
    }

    private sealed class ThrowingDiagnostics : EchoOnlyDiagnostics
    {
        public override Task<EchoResponse> Echo(EchoRequest request, ServerCallContext context) =>
            throw new InvalidOperationException("secret connection string leaked");
    }
}
