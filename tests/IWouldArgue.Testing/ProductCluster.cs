using System.Security.Cryptography;

namespace IWouldArgue.Testing;

/// <summary>
/// The product as a cluster of real processes on this machine: a PostgreSQL server shared by every Identity,
/// Discussions and Live instance, a NATS JetStream broker for pub/sub and state, two Identity hosts, N Discussions
/// hosts, M Live hosts and K gateways, each gateway spreading calls over the Identity and Discussions instances and
/// following each discussion to the Live instance that owns it. Started from the build outputs with settings an operator would give; nothing of the
/// product runs in the test process.
/// </summary>
public sealed class ProductCluster : IAsyncDisposable
{
    private readonly string _folder;

    private ProductCluster(string folder, PostgresServer postgres, NatsServer nats, string database)
    {
        _folder = folder;
        Postgres = postgres;
        Nats = nats;
        DatabaseConnectionString = database;
    }

    /// <summary>The database server.</summary>
    public PostgresServer Postgres { get; }

    /// <summary>The broker.</summary>
    public NatsServer Nats { get; }

    /// <summary>The Discussions store's database (shared by Discussions and Live instances).</summary>
    public string DatabaseConnectionString { get; }

    /// <summary>The Identity hosts (two, over the shared database).</summary>
    public IReadOnlyList<ProductProcess> Identity { get; private set; } = [];

    /// <summary>The Discussions hosts.</summary>
    public IReadOnlyList<ProductProcess> Discussions { get; private set; } = [];

    /// <summary>The Live hosts, with instance ids live-1, live-2, ...</summary>
    public IReadOnlyList<ProductProcess> Live { get; private set; } = [];

    /// <summary>The gateways, which clients call.</summary>
    public IReadOnlyList<ProductProcess> Gateways { get; private set; } = [];

    /// <summary>Where the processes' logs are.</summary>
    public string LogFolder => _folder;

    /// <summary>Every product process.</summary>
    public IEnumerable<ProductProcess> Processes => [.. Identity, .. Discussions, .. Live, .. Gateways];

    /// <summary>
    /// Starts the servers and the processes, ready when this returns. <paramref name="extra"/> adds settings to every
    /// process (e.g. Live:RegistrationInterval).
    /// </summary>
    public static async Task<ProductCluster> StartAsync(int discussions, int live, int gateways, IReadOnlyDictionary<string, string>? extra = null)
    {
        var folder = Directory.CreateTempSubdirectory("iwouldargue-cluster-").FullName;
        var postgres = await PostgresServer.StartAsync();
        var nats = await NatsServer.StartAsync();
        var cluster = new ProductCluster(folder, postgres, nats, await postgres.CreateDatabaseAsync());
        try
        {
            await cluster.StartProcessesAsync(discussions, live, gateways, extra ?? new Dictionary<string, string>());
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private async Task StartProcessesAsync(int discussions, int live, int gateways, IReadOnlyDictionary<string, string> extra)
    {
        var common = new Dictionary<string, string>
        {
            ["Auth:GatewayKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["BuildingBlocks:Mode"] = "nats",
            ["Nats:Url"] = Nats.Url.ToString(),
            ["Discussions:Provider"] = "postgres",
            ["Discussions:ConnectionString"] = DatabaseConnectionString,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
        {
            common[key] = value;
        }
        Dictionary<string, string> With(params (string Key, string Value)[] settings)
        {
            var all = new Dictionary<string, string>(common);
            foreach (var (key, value) in settings)
            {
                all[key] = value;
            }
            return all;
        }

        Discussions = [.. Enumerable.Range(1, discussions).Select(i => new ProductProcess($"discussions-{i}", "services/IWouldArgue.Discussions.Host", With(
            ("Nats:ConsumerGroup", "discussions"),
            ("Attachments:StoragePath", Path.Combine(_folder, "blobs"))), _folder))];
        Live = [.. Enumerable.Range(1, live).Select(i => new ProductProcess($"live-{i}", "services/IWouldArgue.Live.Host", With(
            ("Nats:ConsumerGroup", "live"),
            ("Live:InstanceId", $"live-{i}")), _folder))];
        foreach (var instance in Live)
        {
            instance.Settings["Live:AdvertisedAddress"] = instance.GrpcAddress.ToString();
        }
        Identity = [.. Enumerable.Range(1, 2).Select(i => new ProductProcess($"identity-{i}", "services/IWouldArgue.Identity.Host", With(
            ("Identity:Provider", "postgres"),
            ("Identity:ConnectionString", DatabaseConnectionString),
            ("Identity:PasswordMemoryKiB", "64"),
            ("Identity:PasswordPasses", "1"),
            ("Identity:Discussions:Address", Discussions[(i - 1) % Discussions.Count].GrpcAddress.ToString())), _folder))];
        Gateways = [.. Enumerable.Range(1, gateways).Select(i => new ProductProcess($"gateway-{i}", "gateway/IWouldArgue.Gateway", With(
            ("Nats:ConsumerGroup", "gateway"),
            ("Auth:JwksUrl", new Uri(Identity[(i - 1) % Identity.Count].WebAddress, "/.well-known/jwks.json").ToString()),
            ("Gateway:Upstreams:Live:Address", Live[0].GrpcAddress.ToString()),
            ("Gateway:IpRequestsPerSecond", "1000000"), ("Gateway:IpBurst", "1000000"),
            ("Gateway:UserRequestsPerSecond", "1000000"), ("Gateway:UserBurst", "1000000"),
            ("Gateway:SignUpsPerAddressPerHour", "1000000"), ("Gateway:SignInsPerAddressPerMinute", "1000000"))
            .Concat(Identity.Select((d, n) => new KeyValuePair<string, string>($"Gateway:Upstreams:Identity:Addresses:{n}", d.GrpcAddress.ToString())))
            .Concat(Discussions.Select((d, n) => new KeyValuePair<string, string>($"Gateway:Upstreams:Discussions:Addresses:{n}", d.GrpcAddress.ToString())))
            .ToDictionary(), _folder))];

        // The first Discussions instance migrates the database; the others start against a ready schema.
        await Discussions[0].StartAsync(StartLimit);
        await Task.WhenAll(Discussions.Skip(1).Select(d => d.StartAsync(StartLimit)));
        await Identity[0].StartAsync(StartLimit); // migrates Identity's tables
        await Task.WhenAll(Live.Select(l => l.StartAsync(StartLimit)).Concat(Identity.Skip(1).Select(i => i.StartAsync(StartLimit))));
        await Task.WhenAll(Gateways.Select(g => g.StartAsync(StartLimit)));
    }

    /// <summary>How long one process may take to answer after it starts (several start at once on two cores).</summary>
    public static TimeSpan StartLimit { get; } = TimeSpan.FromSeconds(90);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in Processes)
        {
            await process.DisposeAsync();
        }
        await Nats.DisposeAsync();
        await Postgres.DisposeAsync();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A log still held open by a dying process: the temp folder is cleaned by the system.
        }
    }
}
