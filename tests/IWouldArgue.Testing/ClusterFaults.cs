using System.Diagnostics;
using IWouldArgue.BuildingBlocks.Routing;

namespace IWouldArgue.Testing;

/// <summary>One step of a fault script: when it began (a <see cref="Stopwatch"/> timestamp) and what was done.</summary>
public sealed record FaultStep(long At, string What);

/// <summary>
/// The faults a cluster must survive, in order, a few seconds apart: the Live instance that owns
/// <paramref name="watchedDiscussionId"/> killed with SIGKILL and restarted, then the first Discussions instance, then
/// the first gateway, then the broker killed and restarted.
/// </summary>
public static class ClusterFaults
{
    public static async Task<List<FaultStep>> RunAsync(ProductCluster cluster, string watchedDiscussionId, TimeSpan pause)
    {
        var steps = new List<FaultStep>();
        async Task Step(string what, Func<Task> fault)
        {
            await Task.Delay(pause);
            steps.Add(new FaultStep(Stopwatch.GetTimestamp(), what));
            await fault();
        }

        var owner = Rendezvous.Pick(watchedDiscussionId, cluster.Live.Select(l => l.Name))!;
        var live = cluster.Live.Single(l => l.Name == owner);
        await Step($"kill -9 {owner} (owner of a watched discussion)", live.KillAsync);
        await Step($"restart {owner}", () => live.StartAsync(ProductCluster.StartLimit));
        await Step($"kill -9 {cluster.Discussions[0].Name}", cluster.Discussions[0].KillAsync);
        await Step($"restart {cluster.Discussions[0].Name}", () => cluster.Discussions[0].StartAsync(ProductCluster.StartLimit));
        await Step($"kill -9 {cluster.Gateways[0].Name}", cluster.Gateways[0].KillAsync);
        await Step($"restart {cluster.Gateways[0].Name}", () => cluster.Gateways[0].StartAsync(ProductCluster.StartLimit));
        await Step("kill -9 nats-server", cluster.Nats.StopAsync);
        await Step("restart nats-server", cluster.Nats.RestartAsync);
        await Task.Delay(pause);
        steps.Add(new FaultStep(Stopwatch.GetTimestamp(), "stop posting"));
        return steps;
    }
}
