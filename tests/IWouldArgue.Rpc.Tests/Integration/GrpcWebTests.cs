using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

/// <summary>gRPC-Web as a browser speaks it, over HTTP/1.1 and HTTP/2, checked byte by byte.</summary>
public class GrpcWebTests(RpcHostFixture fixture) : IClassFixture<RpcHostFixture>
{
    [Theory]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/grpc-web+proto", false)]
    [InlineData("application/grpc-web-text", true)]
    [InlineData("application/grpc-web-text+proto", true)]
    public async Task Unary_OverHttp1_ReturnsMessageThenTrailersFrame(string contentType, bool text)
    {
        using var http = new HttpClient();
        var body = RawGrpc.Frame(new EchoRequest { Message = "from a browser" });
        var request = RawGrpc.WebRequest(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo", body, contentType, text, HttpVersion.Version11);

        using var response = await http.SendAsync(request);
        var frames = RawGrpc.WebFrames(await RawGrpc.ReadWebBody(response, text));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith(contentType.Split('+')[0], response.Content.Headers.ContentType!.MediaType, StringComparison.Ordinal);
        Assert.Equal(2, frames.Count);
        Assert.Equal("from a browser", EchoResponse.Parser.ParseFrom(frames[0].Payload).Message);
        Assert.Equal(0x80, frames[1].Flags);
        Assert.Contains("grpc-status:0", Encoding.ASCII.GetString(frames[1].Payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerStream_OverHttp2_StreamsMessagesAndTrailersFrame()
    {
        using var http = RawGrpc.Http2Client();
        var body = RawGrpc.Frame(new EchoStreamRequest { Message = "s", Repeat = 3 });
        var request = RawGrpc.WebRequest(fixture.Host.GrpcAddress, "/iwouldargue.v1.DiagnosticsService/EchoStream", body, "application/grpc-web+proto", false, HttpVersion.Version20);

        using var response = await http.SendAsync(request);
        var frames = RawGrpc.WebFrames(await RawGrpc.ReadWebBody(response, false));

        Assert.Equal(4, frames.Count);
        Assert.Equal(new uint[] { 1, 2, 3 }, frames.Take(3).Select(f => EchoStreamResponse.Parser.ParseFrom(f.Payload).Index));
        Assert.Equal(0x80, frames[3].Flags);
    }

    [Fact]
    public async Task Error_BeforeAnyMessage_IsTrailersOnlyInHeaders()
    {
        using var http = new HttpClient();
        var body = RawGrpc.Frame(new EchoRequest { FailWithCode = (int)StatusCode.NotFound, FailWithMessage = "no such discussion" });
        var request = RawGrpc.WebRequest(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo", body, "application/grpc-web", false, HttpVersion.Version11);

        using var response = await http.SendAsync(request);

        Assert.Equal("5", response.Headers.GetValues("grpc-status").Single());
        Assert.Equal("no such discussion", response.Headers.GetValues("grpc-message").Single());
    }

    [Fact]
    public async Task CorsPreflight_FromAllowedOrigin_ExposesGrpcHeaders()
    {
        using var http = new HttpClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo"));
        preflight.Headers.Add("Origin", "http://allowed.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-grpc-web,x-user-agent,grpc-timeout");

        using var response = await http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("http://allowed.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("x-grpc-web", response.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task CrossOriginCall_ExposesStatusHeadersToTheBrowser()
    {
        using var http = new HttpClient();
        var request = RawGrpc.WebRequest(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo", RawGrpc.Frame(new EchoRequest()), "application/grpc-web", false, HttpVersion.Version11);
        request.Headers.Add("Origin", "http://allowed.example");

        using var response = await http.SendAsync(request);

        Assert.Contains("grpc-status", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CorsPreflight_FromUnknownOrigin_IsNotAllowed()
    {
        using var http = new HttpClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo"));
        preflight.Headers.Add("Origin", "http://evil.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await http.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task CorsPreflight_WithNoConfiguredOrigins_AllowsNoOrigin()
    {
        await using var host = await RpcTestHost.StartAsync();
        using var http = new HttpClient();
        var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo"));
        preflight.Headers.Add("Origin", "http://allowed.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");

        using var response = await http.SendAsync(preflight);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }
}
