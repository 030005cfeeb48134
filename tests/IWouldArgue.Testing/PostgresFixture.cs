namespace IWouldArgue.Testing;

/// <summary>
/// One PostgreSQL server for the test classes of a collection (each test project defines the collection: xunit finds
/// collection definitions only in the test assembly itself).
/// </summary>
public sealed class PostgresFixture : Xunit.IAsyncLifetime
{
    private PostgresServer? _server;

    /// <summary>The server, started before the collection's first test.</summary>
    public PostgresServer Server => _server!;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
