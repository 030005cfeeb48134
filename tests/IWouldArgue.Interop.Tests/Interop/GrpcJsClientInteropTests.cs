using IWouldArgue.Testing;
using System.Text.Json;
using IWouldArgue.Interop.Tests.Infrastructure;

namespace IWouldArgue.Interop.Tests.Interop;

/// <summary>The product's gRPC server (grpc-dotnet on Kestrel, with the hosts' settings), called by the independent @grpc/grpc-js client (tests/interop/grpcjs/client.mjs).</summary>
[Trait("Category", "Interop")]
public class GrpcJsClientInteropTests(GrpcJsClientInteropTests.Run run) : IClassFixture<GrpcJsClientInteropTests.Run>
{
    public static TheoryData<string> Cases =>
    [
        "unary", "server_streaming", "client_streaming", "bidi_streaming", "deadline_exceeded",
        "error_with_trailers", "binary_metadata", "message_3_9_mb_accepted", "message_4_1_mb_refused",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void GrpcJsClient_Case_Passes(string name)
    {
        Assert.True(run.Results.TryGetValue(name, out var result), $"case {name} did not run: {run.Errors}");
        Assert.True(result.Ok, $"{name}: {result.Detail}");
    }

    /// <summary>Runs the grpc-js client once against one host; each test reads one case's result.</summary>
    public sealed class Run : IAsyncLifetime
    {
        public ServiceTestHost Host { get; private set; } = null!;

        public Dictionary<string, (bool Ok, string Detail)> Results { get; } = [];

        public string Errors { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Host = await InteropHost.StartAsync();
            var port = Host.GrpcAddress.Port;
            var (_, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromMinutes(2), "node", "grpcjs/client.mjs", $"127.0.0.1:{port}");
            Errors = errors;
            foreach (var line in output.Where(l => l.StartsWith('{')))
            {
                using var json = JsonDocument.Parse(line);
                var root = json.RootElement;
                Results[root.GetProperty("case").GetString()!] = (root.GetProperty("ok").GetBoolean(), root.GetProperty("detail").GetString()!);
            }
        }

        public async Task DisposeAsync() => await Host.DisposeAsync();
    }
}
