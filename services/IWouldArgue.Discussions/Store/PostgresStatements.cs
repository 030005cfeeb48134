using Npgsql;

namespace IWouldArgue.Discussions.Store;

/// <summary>Statements run inside one PostgreSQL transaction (the append's), with named parameters.</summary>
internal sealed class Statements(NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068", Justification = "The SQL parameters are a params list, which must come last.")]
    public async Task<int> ExecuteAsync(CancellationToken ct, string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return await command.ExecuteNonQueryAsync(ct);
    }
}
