using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IWouldArgue.Sqlite;

/// <summary>Healthy while the database takes a write lock: the file opens, is not read-only, and no writer holds it for seconds.</summary>
public sealed class SqliteWritableCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            // BEGIN IMMEDIATE takes the write lock without writing anything; a writer holding it longer than this fails the check.
            command.CommandText = "BEGIN IMMEDIATE; ROLLBACK;";
            command.CommandTimeout = 2;
            await command.ExecuteNonQueryAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (SqliteException e)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be written: {e.Message}");
        }
    }
}
