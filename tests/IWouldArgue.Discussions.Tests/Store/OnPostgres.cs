using IWouldArgue.Testing;

namespace IWouldArgue.Discussions.Tests.Store;

/// <summary>The test classes that share one PostgreSQL server (<see cref="PostgresFixture"/>); each test takes a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class OnPostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
