using Dapr.Client.Autogen.Grpc.v1;
using Microsoft.Extensions.DependencyInjection;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Discussions.Tests.Store;
using IWouldArgue.Testing;
using static IWouldArgue.Discussions.Tests.Api.DiscussionsHost;

namespace IWouldArgue.Discussions.Tests.Api;

/// <summary>
/// The Discussions host in mesh mode, against a recording stand-in for the Dapr sidecar (contract test:
/// no Dapr runtime runs here): its events are published through the sidecar, hands go to its state API.
/// </summary>
[Trait("Category", "Contract")]
public class DaprModeTests
{
    [Fact]
    public async Task MeshMode_EventsArePublishedAndHandsStoredThroughTheSidecar()
    {
        using var db = new TempDatabase();
        await using var sidecar = await RecordingDaprSidecar.StartAsync();
        await using var host = await DiscussionsHost.StartAsync(db, new Dictionary<string, string?>
        {
            ["BuildingBlocks:Mode"] = "dapr",
            ["Dapr:GrpcEndpoint"] = sidecar.Address.ToString(),
        });

        var created = (await host.Client.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Meshed" }, As("hana"))).Discussion;
        // A Live instance starts serving the discussion, so its events (after the route cache expires) have a topic to go to.
        await host.Services.GetRequiredService<LiveRoutes>().ServingOf(created.DiscussionId).UpsertAsync("live-a", "", TimeSpan.FromMinutes(1));
        await Task.Delay(EventPublisher.RouteCacheTtl * 2);
        await host.Client.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, As("hana"));
        await host.Client.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, As("omar"));
        await host.Client.RaiseHandAsync(new RaiseHandRequest { DiscussionId = created.DiscussionId }, As("omar"));

        var published = new List<string>();
        for (var i = 0; i < 50 && published.Count < 3; i++)
        {
            await Task.Delay(100);
            published = sidecar.CallsOf<PublishEventRequest>().Where(r => r.Topic == LiveRoutes.TopicOf("live-a"))
                .Select(r => r.Metadata["cloudevent.id"]).ToList();
        }
        Assert.Equal(Enumerable.Range(2, 3).Select(seq => $"{created.DiscussionId}:{seq}"), published);
        Assert.Contains(sidecar.CallsOf<SaveStateRequest>(), r => r.StoreName == "statestore" && r.States.Any(s => s.Key == $"hands:{created.DiscussionId}"));
        var hands = await host.Client.ListRaisedHandsAsync(new ListRaisedHandsRequest { DiscussionId = created.DiscussionId }, As("hana"));
        Assert.Equal(["omar"], hands.Hands.Select(h => h.User.UserId));
    }
}
