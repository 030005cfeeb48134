using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts;
using IWouldArgue.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IWouldArgue.Discussions;

/// <summary>The health checks a service built on the discussion store depends on.</summary>
public static class DiscussionsHealth
{
    /// <summary>The discussion store takes writes.</summary>
    public const string Store = "discussions-store";

    /// <summary>The store, and the pub/sub and state building blocks events go through.</summary>
    public static string[] Dependencies { get; } = [Store, BuildingBlocksCheck.Name];

    /// <summary>Adds the <see cref="Store"/> check (once, whichever service on the store asks first).</summary>
    public static IServiceCollection AddDiscussionStoreCheck(this IServiceCollection services) =>
        services.AddHealthCheckOnce(Store, sp =>
        {
            var options = sp.GetRequiredService<IOptions<DiscussionOptions>>().Value;
            return options.OnPostgres ? new IWouldArgue.Postgres.PostgresWritableCheck(options.ConnectionString) : new SqliteWritableCheck(options.ConnectionString);
        });
}
