using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace IWouldArgue.Testing;

/// <summary>
/// A real PostgreSQL server (Debian's, installed by the test command) on a scratch folder and a free loopback port,
/// trusting local connections; run as the postgres account when the tests run as root (PostgreSQL refuses root).
/// Stopped, and its folder deleted, on dispose. Each test takes a database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string User = "iwouldargue";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "iwouldargue-pg", Guid.NewGuid().ToString("N"));
    private readonly string _bin;

    private PostgresServer(string bin) => _bin = bin;

    /// <summary>Its port on 127.0.0.1.</summary>
    public int Port { get; } = LoopbackPorts.Free();

    private string Data => Path.Combine(_folder, "data");

    /// <summary>Starts a server, ready for connections when this returns.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var server = new PostgresServer(FindBin());
        Directory.CreateDirectory(server._folder);
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", "postgres", server._folder);
        }
        await RunAsPostgresAsync(Path.Combine(server._bin, "initdb"), "-D", server.Data, "-A", "trust", "-U", User, "-E", "UTF8", "--no-sync");
        await RunAsPostgresAsync(Path.Combine(server._bin, "pg_ctl"), "-D", server.Data, "-w", "-l", Path.Combine(server._folder, "log"), "-o",
            $"-p {server.Port.ToString(CultureInfo.InvariantCulture)} -k {server._folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300", "start");
        return server;
    }

    /// <summary>The connection string of one of its databases.</summary>
    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username={User};Database={database};Maximum Pool Size=50";

    /// <summary>Creates an empty database; returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-w", "-m", "immediate", "stop");
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    // Debian keeps the server's programs off PATH, under /usr/lib/postgresql/<version>/bin.
    private static string FindBin()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")));
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Order().LastOrDefault()
            : null;
        return debian ?? onPath ?? throw new InvalidOperationException("PostgreSQL's initdb was not found (the test command installs the postgresql package).");
    }

    private static Task RunAsPostgresAsync(string program, params string[] arguments) =>
        Environment.IsPrivilegedProcess ? RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]) : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{await output}");
        }
    }
}
