using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Http2Server;

/// <summary>A host serving gRPC on our own HTTP/2 server too, with small limits so tests can reach them.</summary>
public sealed class Http2ServerFixture : IAsyncLifetime
{
    public const int MaxStreams = 8;
    public const int MaxResets = 20;
    public const int MaxHeaderListSize = 1024;

    public RpcTestHost Host { get; private set; } = null!;

    public Uri Address => Host.Http2ServerAddress!;

    public RpcChannel Channel { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await RpcTestHost.StartAsync(http2Server: true, settings: new Dictionary<string, string?>
        {
            ["Http2Server:Limits:MaxStreamsPerConnection"] = $"{MaxStreams}",
            ["Http2Server:Limits:MaxResetsPer10Seconds"] = $"{MaxResets}",
            ["Http2Server:Limits:MaxHeaderListSize"] = $"{MaxHeaderListSize}",
        });
        Channel = RpcChannel.ForAddress(Address);
    }

    public async Task DisposeAsync()
    {
        Channel.Dispose();
        await Host.DisposeAsync();
    }
}
