using Npgsql;

namespace IWouldArgue.Postgres;

/// <summary>
/// A store's PostgreSQL schema as numbered steps applied in order and recorded in a version table of its own; several
/// instances starting at once take turns (a transaction-level advisory lock), so each step runs once. A step is never
/// edited once released: a change is a new step.
/// </summary>
public static class PostgresSchema
{
    /// <summary>
    /// Applies the steps not applied yet, all in one transaction; returns the schema version. Refuses a database whose
    /// schema is newer than <paramref name="steps"/>.
    /// </summary>
    /// <param name="database">The database.</param>
    /// <param name="steps">The schema's steps, oldest first.</param>
    /// <param name="versionTable">The store's own table of applied versions (stores may share a database).</param>
    /// <param name="lockId">Any number fixed for the store: the advisory lock its instances take turns under.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    public static async Task<int> MigrateAsync(NpgsqlDataSource database, IReadOnlyList<string> steps, string versionTable, long lockId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(steps);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await Execute(connection, transaction, $"SELECT pg_advisory_xact_lock({lockId})", cancellationToken);
        await Execute(connection, transaction, $"CREATE TABLE IF NOT EXISTS {versionTable} (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", cancellationToken);
        await using var current = new NpgsqlCommand($"SELECT COALESCE(MAX(version), 0) FROM {versionTable}", connection, transaction);
        var version = (int)(await current.ExecuteScalarAsync(cancellationToken))!;
        if (version > steps.Count)
        {
            throw new InvalidOperationException($"The database's schema ({versionTable}) is version {version}, newer than this build's {steps.Count}: run a newer build.");
        }
        for (var step = version; step < steps.Count; step++)
        {
            await Execute(connection, transaction, steps[step], cancellationToken);
            await Execute(connection, transaction, $"INSERT INTO {versionTable} (version) VALUES ({step + 1})", cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return steps.Count;
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
