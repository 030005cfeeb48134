using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Integration;

namespace IWouldArgue.Rpc.Tests.Http2Server;

/// <summary>Every call kind through our client (SocketsHttpHandler's HTTP/2) to our own HTTP/2 server.</summary>
public sealed class Http2ServerCallKindsTests(Http2ServerFixture fixture) : CallKindsBehavior, IClassFixture<Http2ServerFixture>
{
    protected override DiagnosticsService.Client Client { get; } = new(fixture.Channel);
}
