using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Interop.Tests.Infrastructure;
using IWouldArgue.Testing;

namespace IWouldArgue.Interop.Tests.Integration;

public class ErrorAndMetadataTests(InteropHostFixture fixture) : IClassFixture<InteropHostFixture>
{
    private readonly DiagnosticsService.DiagnosticsServiceClient _client = new(fixture.Channel);

    [Fact]
    public async Task Error_WithMessageAndTrailers_ReachesTheClient()
    {
        var headers = new Metadata { { "echo-reason", "testing" } };

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _client.EchoAsync(
            new EchoRequest { FailWithCode = (int)StatusCode.FailedPrecondition, FailWithMessage = "Discussion ended: 100% over ☕" },
            new CallOptions(headers)));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("Discussion ended: 100% over ☕", ex.Status.Detail);
        Assert.Equal("testing", ex.Trailers.GetValue("echo-reason"));
    }

    [Fact]
    public async Task InvalidArgument_CarriesTheFieldInStatusDetails()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = _client.EchoStream(new EchoStreamRequest { Repeat = 0 });
            await call.ResponseStream.MoveNext();
        });

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        var details = RpcErrors.DetailsOf(ex);
        Assert.NotNull(details);
        Assert.Equal("repeat", details.GetDetail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task BinaryMetadata_RoundTripsInHeadersAndTrailers()
    {
        var blob = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var headers = new Metadata { { "echo-blob-bin", blob }, { "echo-text", "plain" } };

        using var call = _client.EchoAsync(new EchoRequest { Message = "x" }, new CallOptions(headers));
        await call;
        var responseHeaders = await call.ResponseHeadersAsync;

        Assert.Equal(blob, responseHeaders.GetValueBytes("echo-blob-bin"));
        Assert.Equal("plain", responseHeaders.GetValue("echo-text"));
        Assert.Equal(blob, call.GetTrailers().GetValueBytes("echo-blob-bin"));
    }
}
