using Microsoft.Data.Sqlite;

namespace IWouldArgue.Discussions.Store;

/// <summary>
/// Commands kept per connection (and transaction) by their SQL, reused with new parameter values:
/// SQLite then parses each statement once instead of on every call, which was the store's main cost.
/// </summary>
internal sealed class PreparedCommands(SqliteConnection connection, SqliteTransaction? transaction = null) : IDisposable
{
    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    public SqliteConnection Connection => connection;

    public SqliteCommand Get(string sql, params (string Name, object? Value)[] parameters)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            _commands[sql] = command;
        }
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1068", Justification = "The SQL parameters are a params list, which must come last.")]
    public Task<int> ExecuteAsync(CancellationToken ct, string sql, params (string Name, object? Value)[] parameters) =>
        Get(sql, parameters).ExecuteNonQueryAsync(ct);

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }
    }
}
