using Grpc.Net.Client;
using IWouldArgue.Testing;

namespace IWouldArgue.Interop.Tests.Infrastructure;

/// <summary>One host shared by the tests of a class, and a channel to its gRPC port.</summary>
public sealed class InteropHostFixture : IAsyncLifetime
{
    public ServiceTestHost Host { get; private set; } = null!;

    public GrpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await InteropHost.StartAsync(settings: new Dictionary<string, string?>
        {
            ["Rpc:CorsOrigins:0"] = "http://allowed.example",
        });
        Channel = GrpcChannel.ForAddress(Host.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Host.DisposeAsync();
    }
}
