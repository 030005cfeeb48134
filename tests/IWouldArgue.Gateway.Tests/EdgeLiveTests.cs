using Google.Protobuf;
using Grpc.Core;
using IWouldArgue.Contracts;
using IWouldArgue.Gateway.Edge;

namespace IWouldArgue.Gateway.Tests;

/// <summary>How the gateway tells a Live server that cannot be reached from one that answered with a refusal.</summary>
public sealed class EdgeLiveTests
{
    [Fact]
    public void LiveRefusingWithUnavailable_AndItsErrorDetails_IsNotAnUnreachableServer()
    {
        // As the gRPC client surfaces Live's "the state store cannot be reached": UNAVAILABLE with our binary details
        // trailer. Reading that trailer as text threw, and every such refusal reached the browser as INTERNAL.
        var details = RpcErrors.StatusOf(StatusCode.Unavailable, "The state store cannot be reached right now.", "STATE_STORE_UNAVAILABLE");
        var refused = new RpcException(new Status(StatusCode.Unavailable, "The state store cannot be reached right now."),
            new Metadata { { RpcErrors.DetailsTrailer, details.ToByteArray() } });

        Assert.False(EdgeLive.IsUnreachable(refused));
    }

    [Fact]
    public void AnUnavailableWithoutDetails_IsTheTransportFailing()
    {
        var lost = new RpcException(new Status(StatusCode.Unavailable, "Error connecting to subchannel."));

        Assert.True(EdgeLive.IsUnreachable(lost));
    }
}
