using System.Globalization;
using Microsoft.Data.Sqlite;

namespace IWouldArgue.Sqlite;

/// <summary>
/// A store's schema as numbered migrations applied in order at start-up. A migration, once shipped,
/// never changes: add the next one. PRAGMA user_version holds the number applied.
/// </summary>
public static class SqliteSchema
{
    /// <summary>
    /// Creates the database file's folder, switches the file to WAL and applies the steps it lacks, each in
    /// its own transaction. Refuses a file whose schema is newer than <paramref name="steps"/>.
    /// </summary>
    public static async Task MigrateAsync(string connectionString, IReadOnlyList<string> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA journal_mode = WAL;", cancellationToken);
        var current = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
        if (current > steps.Count)
        {
            throw new InvalidOperationException($"The database {path} has schema version {current}, newer than this build's {steps.Count}; refusing to run against it.");
        }
        for (var version = current + 1; version <= steps.Count; version++)
        {
            using var transaction = connection.BeginTransaction();
            await ExecuteAsync(connection, steps[version - 1], cancellationToken, transaction);
            await ExecuteAsync(connection, $"PRAGMA user_version = {version};", cancellationToken, transaction);
            transaction.Commit();
        }
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }
}
