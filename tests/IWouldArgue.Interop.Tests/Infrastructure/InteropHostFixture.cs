namespace IWouldArgue.Interop.Tests.Infrastructure;

/// <summary>One host shared by the tests of a class.</summary>
public sealed class InteropHostFixture : IAsyncLifetime
{
    public InteropHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await InteropHost.StartAsync(settings: new Dictionary<string, string?>
    {
        ["Rpc:CorsOrigins:0"] = "http://allowed.example",
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
