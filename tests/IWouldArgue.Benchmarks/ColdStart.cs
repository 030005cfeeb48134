using Grpc.Net.Client;
using System.Diagnostics;
using System.Globalization;
using Grpc.Core;
using Grpc.Health.V1;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// Cold start: from starting the process to its first successful <c>grpc.health.v1.Health/Check</c>
/// (polled every 5 ms over h2c), for the embedded gateway on an empty data folder (it creates both
/// databases and a signing key), on existing data, and for the reference: grpc-dotnet with health
/// checking on a slim host, which is what any gRPC server of ours pays before its own work. The three
/// take turns in each round so machine noise falls on all of them.
/// </summary>
internal static class ColdStart
{
    public static async Task<int> RunAsync(string gatewayDirectory, int rounds)
    {
        var benchDll = typeof(ColdStart).Assembly.Location;
        var gatewayDll = Path.Combine(gatewayDirectory, "IWouldArgue.Gateway.dll");
        var samples = new Dictionary<string, List<double>> { ["gateway-fresh-data"] = [], ["gateway-existing-data"] = [], ["reference-runtime"] = [] };
        for (var round = 0; round < rounds; round++)
        {
            var data = Directory.CreateTempSubdirectory("iwouldargue-coldstart-").FullName;
            try
            {
                samples["gateway-fresh-data"].Add(await GatewayAsync(gatewayDll, gatewayDirectory, data));
                samples["gateway-existing-data"].Add(await GatewayAsync(gatewayDll, gatewayDirectory, data));
                var port = FreePort();
                samples["reference-runtime"].Add(await MeasureAsync(new ProcessStartInfo("dotnet", [benchDll, "runtime", port.ToString(CultureInfo.InvariantCulture)]), port));
            }
            finally
            {
                Directory.Delete(data, recursive: true);
            }
        }
        foreach (var (name, values) in samples)
        {
            values.Sort();
            Console.WriteLine(FormattableString.Invariant($"{name} median_ms={values[values.Count / 2]:F0} min_ms={values[0]:F0} max_ms={values[^1]:F0} runs={values.Count}"));
        }
        return 0;
    }

    private static Task<double> GatewayAsync(string dll, string directory, string data)
    {
        var (grpc, web) = (FreePort(), FreePort());
        var info = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = directory };
        info.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpc}";
        info.Environment["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{web}";
        info.Environment["Discussions__ConnectionString"] = $"Data Source={Path.Combine(data, "discussions.db")}";
        info.Environment["Identity__ConnectionString"] = $"Data Source={Path.Combine(data, "identity.db")}";
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        return MeasureAsync(info, grpc);
    }

    private static async Task<double> MeasureAsync(ProcessStartInfo info, int port)
    {
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");
            var health = new Health.HealthClient(channel);
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                try
                {
                    var answer = await health.CheckAsync(new HealthCheckRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(2)));
                    if (answer.Status == HealthCheckResponse.Types.ServingStatus.Serving)
                    {
                        return clock.Elapsed.TotalMilliseconds;
                    }
                }
                catch (RpcException)
                {
                    // Not listening yet.
                }
                await Task.Delay(5);
            }
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} did not answer a health check within 60 s.");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
