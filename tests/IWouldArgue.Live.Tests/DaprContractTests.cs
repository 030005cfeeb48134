using Dapr.Client.Autogen.Grpc.v1;
using IWouldArgue.Discussions.Events;
using IWouldArgue.Testing;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// Mesh mode against a recording stand-in for the Dapr sidecar (its gRPC API as the Dapr SDK calls it, and its HTTP
/// delivery to the app; no Dapr runtime can run here): contract tests of our side of that API, not tests of Dapr.
/// </summary>
public class DaprContractTests
{
    [Fact]
    public async Task Contract_MeshMode_EventsGoThroughTheSidecarToTheServingInstancesTopic_AndReachWatchers()
    {
        using var db = new TestDatabase();
        await using var sidecar = await RecordingDaprSidecar.StartAsync();
        await using var host = await LiveTestHost.StartAsync(db, settings: new Dictionary<string, string?>
        {
            ["BuildingBlocks:Mode"] = "dapr",
            ["Dapr:GrpcEndpoint"] = sidecar.Address.ToString(),
            ["Dapr:AppApiToken"] = "only-the-sidecar",
        });
        sidecar.AppAddress = host.WebAddress;
        sidecar.AppApiToken = "only-the-sidecar";
        var room = await Room.OpenAsync(host, attendees: 1);
        await using var watcher = WatchSession.OverGrpc(host, room.Id, "user-0");
        await watcher.WaitUntilAsync(w => w.Frames.Count > 0);
        await Room.WaitForRoutesAsync();

        var posted = await room.PostAsync(5);
        await watcher.WaitForSeqAsync(posted[^1]);

        Assert.Equal(posted, watcher.Seqs);
        var topic = LiveRoutes.TopicOf(host.InstanceId);
        Assert.Contains(sidecar.CallsOf<PublishEventRequest>(), r => r.Topic == topic);
        for (var i = 0; i < 100 && sidecar.DeliveryOutcomes.Count(o => o == "SUCCESS") < posted.Count; i++)
        {
            await Task.Delay(50);
        }
        Assert.Equal(posted.Count, sidecar.DeliveryOutcomes.Count(o => o == "SUCCESS"));
        // Lifecycle events also go to their own topic, which only Media subscribes to (not hosted here).
        Assert.DoesNotContain(sidecar.DeliveryOutcomes, o => o.StartsWith("NO SUBSCRIBER", StringComparison.Ordinal) && !o.EndsWith(DiscussionTopics.Lifecycle, StringComparison.Ordinal));
    }
}
