using IWouldArgue.Benchmarks;

// bare <port>                 : bare Kestrel HTTP/2 endpoints answering with the same bytes as our Echo
// runtime <port>              : grpc-dotnet with DiagnosticsService on the same slim host as "bare"
// stream <address> <calls>    : our client reads <calls> EchoStream calls of 1000 x 200-byte messages
// comments <address> <discussions> <seconds> <concurrency> [server pid] [posters, 1] [watched, 0] : PostComment load on live discussions (posters > 1: that many people, each caller posting as one of them; watched 1: a Watch stream reads each discussion, so its events travel the pub/sub to Live)
// echo <address> <seconds> <concurrency> [server pid]                   : unary Echo load, the reference for "comments"
// fanout <address> <server pid> <discussions> <watchers> <rates,...> <seconds> [streams per connection, 100] [staggered|together] : Live fan-out load
// coldstart <gateway output dir> <rounds> : process start to first Health.Check, gateway vs. grpc-dotnet alone
// tokens <count>             : access-token checks per second, first sight (ES256) vs. remembered
// replay <address> <comments> <interval ms> <rounds> : Archive.Replay's pace at 4x vs. this process's own timers
// store <discussions> <batch> <seconds> : the SQLite event log alone: comments appended in batches, then marked published
// floor <port>               : the floor of a Kestrel HTTP/2 fan-out (KestrelFanoutFloor), loaded by "fanout" like ours
// (fanout's <server pid> may be several, comma-separated: their CPU is summed)
// cluster <discussion cores> <live cores> <seconds> : the cluster of real processes (needs PostgreSQL, nats-server, root for CPU caps)
// nats <port> <server pid> <subjects> <subscribers> <rates,...> <seconds> <connections> [staggered|together] : the same on nats-server
return args switch
{
    ["bare", var port] => await BareKestrel.RunAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
    ["floor", var port] => await KestrelFanoutFloor.RunAsync(Int(port)),
    ["runtime", var port] => await RuntimeOnly.RunAsync(int.Parse(port, System.Globalization.CultureInfo.InvariantCulture)),
    ["comments", var address, var discussions, var seconds, var concurrency, .. var pid] =>
        await LoadClient.CommentsAsync(address, Int(discussions), TimeSpan.FromSeconds(Int(seconds)), Int(concurrency), Pid(pid), pid is [_, var posters, ..] ? Int(posters) : 1, pid is [_, _, var watched] && watched == "1"),
    ["echo", var address, var seconds, var concurrency, .. var pid] =>
        await LoadClient.EchoAsync(address, TimeSpan.FromSeconds(Int(seconds)), Int(concurrency), Pid(pid)),
    ["fanout", var address, var pid, var discussions, var watchers, var rates, var seconds, .. var optional] =>
        await FanoutLoad.RunAsync(address, [.. pid.Split(',').Select(Int)], Int(discussions), Int(watchers), Rates(rates), TimeSpan.FromSeconds(Int(seconds)),
            optional is [var streams, ..] ? Int(streams) : 100, optional is [_, var arrivals] ? PostingSchedule.Parse(arrivals) : Arrivals.Staggered),
    ["nats", var port, var pid, var subjects, var subscribers, var rates, var seconds, var connections, .. var arrivals] =>
        await NatsReference.RunAsync(Int(port), Int(pid), Int(subjects), Int(subscribers), Rates(rates), TimeSpan.FromSeconds(Int(seconds)), Int(connections),
            arrivals is [var pattern] ? PostingSchedule.Parse(pattern) : Arrivals.Staggered),
    ["cluster", var discussionCores, var liveCores, var seconds] =>
        await ClusterBench.RunAsync(double.Parse(discussionCores, System.Globalization.CultureInfo.InvariantCulture),
            double.Parse(liveCores, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(Int(seconds))),
    ["coldstart", var gatewayDirectory, var rounds] => await ColdStart.RunAsync(gatewayDirectory, Int(rounds)),
    ["tokens", var count] => await TokenChecks.RunAsync(Int(count)),
    ["replay", var address, var comments, var interval, var rounds] =>
        await ReplayPace.RunAsync(address, Int(comments), TimeSpan.FromMilliseconds(Int(interval)), Int(rounds)),
    ["store", var discussions, var batch, var seconds] => await StoreAppend.RunAsync(Int(discussions), Int(batch), TimeSpan.FromSeconds(Int(seconds))),
    ["stream", var address, var calls] => await StreamThroughput.RunAsync(address, int.Parse(calls, System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Int(string text) => int.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

static int? Pid(string[] optional) => optional is [var pid, ..] ? Int(pid) : null;

static int[] Rates(string list) => [.. list.Split(',').Select(Int)];

static int Usage()
{
    Console.Error.WriteLine("usage: see the comments at the top of Program.cs");
    return 2;
}
