using System.Security.Cryptography;
using IWouldArgue.Identity;
using IWouldArgue.Identity.Store;
using IWouldArgue.Testing;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// What Identity's store promises, on each provider, with two stores over one database standing for two Identity
/// instances: an email is taken once, a refresh token rotates once however many present it at the same moment (the
/// rest revoke its sign-in), and a key rotation leaves exactly one active signing key.
/// </summary>
public abstract class IdentityStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private IdentityStore _one = null!;
    private IdentityStore _two = null!;

    protected abstract Task<IdentityOptions> CreateDatabaseAsync();

    public async Task InitializeAsync()
    {
        var options = await CreateDatabaseAsync();
        (_one, _two) = (IdentityStore.Create(options), IdentityStore.Create(options));
        await Task.WhenAll(_one.MigrateAsync(default), _two.MigrateAsync(default));
    }

    public async Task DisposeAsync()
    {
        await _one.DisposeAsync();
        await _two.DisposeAsync();
    }

    [Fact]
    public async Task CreateAccount_SameEmailOnTwoInstances_OnlyTheFirstGetsIt_AndBothFindIt()
    {
        var email = $"{Guid.NewGuid():N}@example.org";

        var first = await _one.CreateAccountAsync(new Account("u_1", email, "One", "hash-1"), Now, default);
        var second = await _two.CreateAccountAsync(new Account("u_2", email, "Two", "hash-2"), Now, default);

        Assert.True(first);
        Assert.False(second);
        Assert.Equal("u_1", (await _two.FindByEmailAsync(email, default))?.UserId);
    }

    [Fact]
    public async Task RotateRefreshToken_PresentedEightTimesAtOnce_RotatesOnce_AndTheReuseEndsTheSignIn()
    {
        var token = RandomNumberGenerator.GetBytes(32);
        await _one.AddRefreshTokenAsync(token, "family-1", "u_1", Now.AddDays(30), default);
        var successors = Enumerable.Range(0, 8).Select(_ => RandomNumberGenerator.GetBytes(32)).ToArray();

        var outcomes = await Task.WhenAll(successors.Select((successor, i) =>
            (i % 2 == 0 ? _one : _two).RotateRefreshTokenAsync(token, successor, Now, Now.AddDays(30), default)));

        Assert.Single(outcomes, o => o.Outcome == RefreshOutcome.Rotated);
        Assert.All(outcomes.Where(o => o.Outcome != RefreshOutcome.Rotated), o => Assert.Contains(o.Outcome, new[] { RefreshOutcome.Reused, RefreshOutcome.Revoked }));
        var winner = successors[Array.FindIndex(outcomes, o => o.Outcome == RefreshOutcome.Rotated)];
        Assert.Equal(RefreshOutcome.Revoked, (await _two.RotateRefreshTokenAsync(winner, RandomNumberGenerator.GetBytes(32), Now, Now.AddDays(30), default)).Outcome);
    }

    [Fact]
    public async Task AddSigningKey_TwoInstancesRotatingAtOnce_LeaveOneActiveKey()
    {
        var keys = Enumerable.Range(0, 6).Select(i => new StoredSigningKey($"k{i}", RandomNumberGenerator.GetBytes(64), Now.AddSeconds(i), null)).ToList();

        await Task.WhenAll(keys.Select((key, i) => (i % 2 == 0 ? _one : _two).AddSigningKeyAsync(key, default)));

        var stored = await _one.ListSigningKeysAsync(default);
        Assert.Equal(6, stored.Count);
        Assert.Single(stored, k => k.RetiredAt is null);
    }
}

/// <summary><see cref="IdentityStoreContract"/> on a SQLite file (the embedded default).</summary>
public sealed class SqliteIdentityStoreTests : IdentityStoreContract, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("iwouldargue-identity-").FullName;

    protected override Task<IdentityOptions> CreateDatabaseAsync() =>
        Task.FromResult(new IdentityOptions { ConnectionString = $"Data Source={Path.Combine(_folder, "identity.db")}" });

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary><see cref="IdentityStoreContract"/> on a real PostgreSQL server started for these tests.</summary>
[Collection(OnPostgres.Name)]
public sealed class PostgresIdentityStoreTests(PostgresFixture postgres) : IdentityStoreContract
{
    protected override async Task<IdentityOptions> CreateDatabaseAsync() =>
        new() { Provider = "postgres", ConnectionString = await postgres.Server.CreateDatabaseAsync() };
}

/// <summary>The test classes that share <see cref="PostgresFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class OnPostgres : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}
