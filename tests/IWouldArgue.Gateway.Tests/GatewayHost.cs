using Grpc.Net.Client;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Gateway;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// The embedded gateway exactly as <c>dotnet run</c> builds it (<see cref="GatewayApp"/>), on free
/// loopback ports: gRPC on HTTP/2 and the browser endpoint on HTTP/1.1, with its databases in a temp folder.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsData;

    private GatewayHost(WebApplication app, string dataFolder, bool ownsData, int grpcPort, int webPort)
    {
        _app = app;
        _ownsData = ownsData;
        DataFolder = dataFolder;
        GrpcAddress = new Uri($"http://127.0.0.1:{grpcPort}");
        WebAddress = new Uri($"http://127.0.0.1:{webPort}");
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Identity = new IdentityService.IdentityServiceClient(Channel);
        Discussions = new DiscussionsService.DiscussionsServiceClient(Channel);
        Web = new HttpClient { BaseAddress = WebAddress };
    }

    public string DataFolder { get; }

    public Uri GrpcAddress { get; }

    public Uri WebAddress { get; }

    public GrpcChannel Channel { get; }

    public IdentityService.IdentityServiceClient Identity { get; }

    public DiscussionsService.DiscussionsServiceClient Discussions { get; }

    public HttpClient Web { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a gateway. Passwords are hashed with Argon2id over 64 KiB to keep tests quick (the production
    /// cost is asserted separately); pass <paramref name="dataFolder"/> to restart on the same databases.
    /// </summary>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string>? settings = null, string? dataFolder = null, Action<IServiceCollection>? overrides = null)
    {
        var ownsData = dataFolder is null;
        dataFolder ??= Directory.CreateTempSubdirectory("iwouldargue-gateway-").FullName;
        var (grpcPort, webPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var all = new Dictionary<string, string>
        {
            // The gateway's own folder, as `dotnet run` uses: its appsettings.json applies (the test output
            // holds other hosts' appsettings too).
            ["contentRoot"] = Path.Combine(NodeProcess.RepoRoot, "gateway", "IWouldArgue.Gateway"),
            ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
            ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
            ["Kestrel:Endpoints:Web:Url"] = $"http://127.0.0.1:{webPort}",
            ["Kestrel:Endpoints:Web:Protocols"] = "Http1",
            ["Discussions:ConnectionString"] = $"Data Source={Path.Combine(dataFolder, "discussions.db")}",
            ["Identity:ConnectionString"] = $"Data Source={Path.Combine(dataFolder, "identity.db")}",
            ["Attachments:StoragePath"] = Path.Combine(dataFolder, "blobs"),
            ["Identity:PasswordMemoryKiB"] = "64",
            ["Identity:PasswordPasses"] = "1",
            // Off by default in the product; the HTTP/2 and anonymous-access tests call it (its own test turns it off).
            ["Diagnostics:Enabled"] = "true",
            // Tests sign many people up from one address; the sign-up limit has its own test.
            ["Gateway:SignUpsPerAddressPerHour"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            all[key] = value;
        }
        var app = GatewayApp.Create([.. all.Select(kv => $"--{kv.Key}={kv.Value}")], overrides);
        await app.StartAsync();
        return new GatewayHost(app, dataFolder, ownsData, grpcPort, webPort);
    }

    /// <summary>Call options carrying an access token, as every client sends it.</summary>
    public static CallOptions Bearer(string accessToken) => new(new Metadata { { "authorization", "Bearer " + accessToken } });

    /// <summary>Signs up a new account with a unique email; returns its tokens.</summary>
    public async Task<SignUpResponse> SignUpAsync(string name = "Ada")
    {
        var email = $"{name.ToLowerInvariant()}.{Guid.NewGuid():N}@example.org";
        return await Identity.SignUpAsync(new SignUpRequest { Email = email, Password = "correct horse battery", DisplayName = name });
    }

    public async ValueTask DisposeAsync()
    {
        Web.Dispose();
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(DataFolder, recursive: true);
        }
    }
}
