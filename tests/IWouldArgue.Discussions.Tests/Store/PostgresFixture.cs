using IWouldArgue.Testing;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>One PostgreSQL server for the store's tests on PostgreSQL; each test takes a database of its own.</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server!;

    public async Task InitializeAsync() => _server = await PostgresServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>The test classes that share <see cref="PostgresFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class OnPostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
