using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace IWouldArgue.Postgres;

/// <summary>Healthy while the PostgreSQL server answers within 2 s and takes writes (a primary, not a standby in recovery).</summary>
public sealed class PostgresWritableCheck(string connectionString) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT NOT pg_is_in_recovery()", connection) { CommandTimeout = 2 };
            return await command.ExecuteScalarAsync(cancellationToken) is true
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("The database is a read-only standby.");
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"The database cannot be reached: {e.Message}");
        }
    }
}
