using Grpc.Health.V1;
using IWouldArgue.Contracts.V1;
using Microsoft.Data.Sqlite;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IWouldArgue.Gateway.Tests;

/// <summary>grpc.health.v1.Health as a load balancer or an operator reads it from the embedded gateway.</summary>
public sealed class HealthTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task WithoutAVoiceServer_MediaIsNotServing_AndEverythingElseIs()
    {
        var health = new Health.HealthClient(_gateway.Channel);

        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, ""));
        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, DiscussionsService.Descriptor.FullName));
        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, LiveService.Descriptor.FullName));
        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, IdentityService.Descriptor.FullName));
        Assert.Equal(ServingStatus.NotServing, await StatusAsync(health, MediaService.Descriptor.FullName));
    }

    [Fact]
    public async Task WhileTheDiscussionStoreCannotBeWritten_DiscussionsIsNotServing_AndServesAgainAfter()
    {
        var health = new Health.HealthClient(_gateway.Channel);
        await using var blocker = new SqliteConnection($"Data Source={Path.Combine(_gateway.DataFolder, "discussions.db")}");
        await blocker.OpenAsync();
        await using var hold = blocker.CreateCommand();
        hold.CommandText = "BEGIN IMMEDIATE;";
        await hold.ExecuteNonQueryAsync();

        var whileHeld = await StatusAsync(health, DiscussionsService.Descriptor.FullName);
        var serverWhileHeld = await StatusAsync(health, "");
        var identityWhileHeld = await StatusAsync(health, IdentityService.Descriptor.FullName);
        hold.CommandText = "ROLLBACK;";
        await hold.ExecuteNonQueryAsync();

        Assert.Equal(ServingStatus.NotServing, whileHeld);
        Assert.Equal(ServingStatus.NotServing, serverWhileHeld);
        Assert.Equal(ServingStatus.Serving, identityWhileHeld);
        Assert.Equal(ServingStatus.Serving, await StatusAsync(health, DiscussionsService.Descriptor.FullName));
    }

    private static async Task<ServingStatus> StatusAsync(Health.HealthClient health, string service) =>
        (await health.CheckAsync(new HealthCheckRequest { Service = service })).Status;
}
