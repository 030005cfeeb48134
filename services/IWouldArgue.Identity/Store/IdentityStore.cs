using System.Data.Common;
using IWouldArgue.Postgres;
using IWouldArgue.Sqlite;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IWouldArgue.Identity.Store;

/// <summary>An account as stored.</summary>
public sealed record Account(string UserId, string Email, string DisplayName, string PasswordHash, string? AvatarUrl = null);

/// <summary>A signing key as stored (the private key as PKCS#8).</summary>
public sealed record StoredSigningKey(string KeyId, byte[] PrivateKey, DateTimeOffset CreatedAt, DateTimeOffset? RetiredAt);

/// <summary>What presenting a refresh token led to.</summary>
public enum RefreshOutcome
{
    /// <summary>The token was current: it is now used, and its successor stored.</summary>
    Rotated,

    /// <summary>No such token.</summary>
    Unknown,

    /// <summary>The token is past its lifetime.</summary>
    Expired,

    /// <summary>The token's family was already revoked (sign-out or an earlier reuse).</summary>
    Revoked,

    /// <summary>The token had been used before: its whole family is now revoked.</summary>
    Reused,
}

/// <summary>
/// Accounts, refresh tokens (only their SHA-256 is stored) and signing keys, in SQLite (one process) or PostgreSQL
/// (several Identity instances). Each refresh token belongs to a family (one sign-in); rotating and reuse detection
/// happen in one write transaction that holds the token's row (SQLite's write lock, PostgreSQL's FOR UPDATE), so two
/// concurrent uses of the same token cannot both succeed, on one instance or two. The SQL is the same for both; only
/// the schema's types, the migration runner and the locks differ.
/// </summary>
public sealed class IdentityStore : IAsyncDisposable
{
    private static readonly string[] SqliteSteps =
    [
        // 1: accounts, refresh tokens by family, signing keys.
        """
        CREATE TABLE users (
            user_id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        CREATE TABLE refresh_tokens (
            token_hash BLOB PRIMARY KEY,
            family_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            expires_at INTEGER NOT NULL,
            used_at INTEGER,
            revoked_at INTEGER
        );
        CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
        CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
        CREATE TABLE signing_keys (
            key_id TEXT PRIMARY KEY,
            private_key BLOB NOT NULL,
            created_at INTEGER NOT NULL,
            retired_at INTEGER
        );
        """,

        // 2: a profile picture (where it is served).
        "ALTER TABLE users ADD COLUMN avatar_url TEXT;",
    ];

    // The same tables in PostgreSQL's types (times stay milliseconds since the epoch, as in SQLite).
    private static readonly string[] PostgresSteps =
    [
        """
        CREATE TABLE users (
            user_id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL
        );
        CREATE TABLE refresh_tokens (
            token_hash BYTEA PRIMARY KEY,
            family_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            expires_at BIGINT NOT NULL,
            used_at BIGINT,
            revoked_at BIGINT
        );
        CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family_id);
        CREATE INDEX refresh_tokens_by_expiry ON refresh_tokens (expires_at);
        CREATE TABLE signing_keys (
            key_id TEXT PRIMARY KEY,
            private_key BYTEA NOT NULL,
            created_at BIGINT NOT NULL,
            retired_at BIGINT
        );
        """,

        "ALTER TABLE users ADD COLUMN avatar_url TEXT;",
    ];

    // Any fixed number: the advisory lock Identity instances take turns at migrating under.
    private const long MigrationLock = 0x1_0A27_0002;

    private readonly DbDataSource _database;
    private readonly string _connectionString;
    private readonly bool _postgres;

    private IdentityStore(DbDataSource database, string connectionString, bool postgres) =>
        (_database, _connectionString, _postgres) = (database, connectionString, postgres);

    /// <summary>The store on SQLite.</summary>
    public IdentityStore(string connectionString)
        : this(SqliteFactory.Instance.CreateDataSource(connectionString), connectionString, postgres: false)
    {
    }

    /// <summary>The store the options describe.</summary>
    public static IdentityStore Create(IdentityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.OnPostgres
            ? new IdentityStore(NpgsqlDataSource.Create(options.ConnectionString), options.ConnectionString, postgres: true)
            : new IdentityStore(options.ConnectionString);
    }

    /// <summary>Creates or upgrades the schema.</summary>
    public Task MigrateAsync(CancellationToken cancellationToken) => _postgres
        ? PostgresSchema.MigrateAsync((NpgsqlDataSource)_database, PostgresSteps, "identity_schema_migrations", MigrationLock, cancellationToken)
        : SqliteSchema.MigrateAsync(_connectionString, SqliteSteps, cancellationToken);

    // Holds a row read in a write transaction until it commits (SQLite's write transaction holds the whole file already).
    private string ForUpdate => _postgres ? " FOR UPDATE" : "";

    /// <summary>Adds an account; false when the email is taken.</summary>
    public async Task<bool> CreateAccountAsync(Account account, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, """
            INSERT INTO users (user_id, email, display_name, password_hash, created_at) VALUES (@id, @email, @name, @hash, @at)
            ON CONFLICT (email) DO NOTHING
            """, ("@id", account.UserId), ("@email", account.Email), ("@name", account.DisplayName), ("@hash", account.PasswordHash), ("@at", now.ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The account with this (normalized) email.</summary>
    public Task<Account?> FindByEmailAsync(string email, CancellationToken cancellationToken) =>
        ReadAccountAsync("email = @key", email, cancellationToken);

    /// <summary>The account with this id.</summary>
    public Task<Account?> FindByIdAsync(string userId, CancellationToken cancellationToken) =>
        ReadAccountAsync("user_id = @key", userId, cancellationToken);

    /// <summary>Replaces an account's password hash (after a sign-in with an outdated iteration count).</summary>
    public async Task SetPasswordHashAsync(string userId, string hash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE users SET password_hash = @hash WHERE user_id = @id", ("@hash", hash), ("@id", userId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Replaces an account's display name and profile picture (null for none); false when there is no such account.</summary>
    public async Task<bool> SetProfileAsync(string userId, string displayName, string? avatarUrl, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "UPDATE users SET display_name = @name, avatar_url = @avatar WHERE user_id = @id",
            ("@name", displayName), ("@avatar", (object?)avatarUrl ?? DBNull.Value), ("@id", userId));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Stores the first refresh token of a new family (a sign-in).</summary>
    public async Task AddRefreshTokenAsync(byte[] tokenHash, string familyId, string userId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await InsertRefreshAsync(connection, null, tokenHash, familyId, userId, expiresAt, cancellationToken);
    }

    /// <summary>
    /// Uses a refresh token: when it is current, marks it used and stores <paramref name="successorHash"/>
    /// in its family; when it was used before, revokes the whole family.
    /// </summary>
    public async Task<(RefreshOutcome Outcome, string? UserId)> RotateRefreshTokenAsync(
        byte[] tokenHash, byte[] successorHash, DateTimeOffset now, DateTimeOffset successorExpiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var find = Command(connection, "SELECT family_id, user_id, expires_at, used_at, revoked_at FROM refresh_tokens WHERE token_hash = @hash" + ForUpdate, ("@hash", tokenHash));
        find.Transaction = transaction;
        string family, userId;
        long expiresAt;
        bool used, revoked;
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return (RefreshOutcome.Unknown, null);
            }
            (family, userId, expiresAt, used, revoked) = (reader.GetString(0), reader.GetString(1), reader.GetInt64(2), !reader.IsDBNull(3), !reader.IsDBNull(4));
        }
        var outcome = revoked ? RefreshOutcome.Revoked
            : used ? RefreshOutcome.Reused
            : expiresAt <= now.ToUnixTimeMilliseconds() ? RefreshOutcome.Expired
            : RefreshOutcome.Rotated;
        if (outcome == RefreshOutcome.Reused)
        {
            await RevokeFamilyAsync(connection, transaction, family, now, cancellationToken);
        }
        else if (outcome == RefreshOutcome.Rotated)
        {
            await using var use = Command(connection, "UPDATE refresh_tokens SET used_at = @now WHERE token_hash = @hash", ("@now", now.ToUnixTimeMilliseconds()), ("@hash", tokenHash));
            use.Transaction = transaction;
            await use.ExecuteNonQueryAsync(cancellationToken);
            await InsertRefreshAsync(connection, transaction, successorHash, family, userId, successorExpiresAt, cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return (outcome, userId);
    }

    /// <summary>Revokes the family of a refresh token (sign-out). False when the token is unknown.</summary>
    public async Task<bool> RevokeFamilyOfAsync(byte[] tokenHash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var find = Command(connection, "SELECT family_id FROM refresh_tokens WHERE token_hash = @hash" + ForUpdate, ("@hash", tokenHash));
        find.Transaction = transaction;
        if (await find.ExecuteScalarAsync(cancellationToken) is not string family)
        {
            return false;
        }
        await RevokeFamilyAsync(connection, transaction, family, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Deletes refresh tokens past their lifetime; returns how many.</summary>
    public async Task<int> PurgeExpiredRefreshTokensAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM refresh_tokens WHERE expires_at <= @now", ("@now", now.ToUnixTimeMilliseconds()));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every signing key not yet deleted, newest first.</summary>
    public async Task<IReadOnlyList<StoredSigningKey>> ListSigningKeysAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "SELECT key_id, private_key, created_at, retired_at FROM signing_keys ORDER BY created_at DESC, key_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var keys = new List<StoredSigningKey>();
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add(new StoredSigningKey(reader.GetString(0), (byte[])reader.GetValue(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)),
                reader.IsDBNull(3) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }
        return keys;
    }

    /// <summary>Adds <paramref name="key"/> as the active key and retires every other active one, in one transaction.</summary>
    public async Task AddSigningKeyAsync(StoredSigningKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (_postgres)
        {
            // Two instances rotating at once would each retire the keys they see and leave two active: take turns.
            await using var turn = Command(connection, "LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE");
            turn.Transaction = transaction;
            await turn.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var retire = Command(connection, "UPDATE signing_keys SET retired_at = @at WHERE retired_at IS NULL", ("@at", key.CreatedAt.ToUnixTimeMilliseconds()));
        retire.Transaction = transaction;
        await retire.ExecuteNonQueryAsync(cancellationToken);
        await using var insert = Command(connection, "INSERT INTO signing_keys (key_id, private_key, created_at) VALUES (@id, @key, @at)",
            ("@id", key.KeyId), ("@key", key.PrivateKey), ("@at", key.CreatedAt.ToUnixTimeMilliseconds()));
        insert.Transaction = transaction;
        await insert.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Deletes keys retired before <paramref name="before"/> (no token they signed is still accepted).</summary>
    public async Task DeleteRetiredKeysAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, "DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < @before", ("@before", before.ToUnixTimeMilliseconds()));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<Account?> ReadAccountAsync(string where, string key, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, $"SELECT user_id, email, display_name, password_hash, avatar_url FROM users WHERE {where}", ("@key", key));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Account(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4))
            : null;
    }

    private static async Task InsertRefreshAsync(DbConnection connection, DbTransaction? transaction, byte[] tokenHash, string familyId, string userId, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES (@hash, @family, @user, @expires)",
            ("@hash", tokenHash), ("@family", familyId), ("@user", userId), ("@expires", expiresAt.ToUnixTimeMilliseconds()));
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task RevokeFamilyAsync(DbConnection connection, DbTransaction transaction, string family, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, "UPDATE refresh_tokens SET revoked_at = @now WHERE family_id = @family AND revoked_at IS NULL", ("@now", now.ToUnixTimeMilliseconds()), ("@family", family));
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await _database.OpenConnectionAsync(cancellationToken);

    private static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _database.DisposeAsync();
}
