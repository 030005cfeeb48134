using System.Diagnostics;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using IWouldArgue.Testing;

namespace IWouldArgue.Gateway.Tests;

/// <summary>The gateway's own build output started with `dotnet` from a folder that is not its own, as an operator would.</summary>
public sealed class StartFromAnywhereTests
{
    [Fact]
    public async Task StartedFromAnotherFolder_ItsSettingsApply_AndTheGrpcPortSpeaksHttp2()
    {
        // The build output of the gateway project itself (the test output holds other hosts' appsettings too).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(NodeProcess.RepoRoot, "gateway", "IWouldArgue.Gateway", "bin", configuration, "net10.0", "IWouldArgue.Gateway.dll");
        var folder = Directory.CreateTempSubdirectory("iwouldargue-elsewhere-").FullName;
        var (grpcPort, webPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        // Only the URLs: that the gRPC endpoint speaks HTTP/2 (cleartext) comes from the gateway's appsettings.json.
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{grpcPort}";
        start.Environment["Kestrel__Endpoints__Web__Url"] = $"http://127.0.0.1:{webPort}";
        start.Environment["Discussions__ConnectionString"] = $"Data Source={Path.Combine(folder, "discussions.db")}";
        start.Environment["Identity__ConnectionString"] = $"Data Source={Path.Combine(folder, "identity.db")}";
        start.Environment["Attachments__StoragePath"] = Path.Combine(folder, "blobs");
        using var process = Process.Start(start)!;
        try
        {
            using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
            var health = new Health.HealthClient(channel);
            HealthCheckResponse? answer = null;
            for (var until = DateTime.UtcNow.AddSeconds(60); answer is null && DateTime.UtcNow < until && !process.HasExited;)
            {
                try
                {
                    answer = await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(2));
                }
                catch (RpcException e) when (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal)
                {
                    await Task.Delay(200);
                }
            }

            Assert.True(answer is not null, $"no answer over HTTP/2 (exited: {process.HasExited}) {(process.HasExited ? await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync() : "")}");
            Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, answer!.Status);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Directory.Delete(folder, recursive: true);
        }
    }
}
