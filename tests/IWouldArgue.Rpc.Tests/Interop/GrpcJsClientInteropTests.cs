using IWouldArgue.Testing;
using System.Text.Json;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Interop;

/// <summary>Our server on Kestrel, called by the independent @grpc/grpc-js client (tests/interop/grpcjs/client.mjs).</summary>
[Trait("Category", "Interop")]
public class GrpcJsClientInteropTests(GrpcJsClientInteropBehavior.Run run) : GrpcJsClientInteropBehavior(run), IClassFixture<GrpcJsClientInteropBehavior.Run>;

/// <summary>
/// The same cases over our own HTTP/2 server (Http2Server:Urls): grpc-js speaks Node's HTTP/2 (nghttp2), whose
/// header blocks use HPACK's dynamic table and Huffman coding, and which keeps its own flow-control windows.
/// </summary>
[Trait("Category", "Interop")]
public class GrpcJsClientOverHttp2ServerInteropTests(GrpcJsClientOverHttp2ServerInteropTests.Http2ServerRun run)
    : GrpcJsClientInteropBehavior(run), IClassFixture<GrpcJsClientOverHttp2ServerInteropTests.Http2ServerRun>
{
    /// <summary>The grpc-js client against the host's own HTTP/2 server.</summary>
    public sealed class Http2ServerRun() : GrpcJsClientInteropBehavior.Run(http2Server: true);
}

/// <summary>What the grpc-js client must find, whichever server of ours it calls.</summary>
public abstract class GrpcJsClientInteropBehavior(GrpcJsClientInteropBehavior.Run run)
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

    [Fact]
    public async Task GrpcJsClient_DeadlineExceeded_IsSeenByOurServerToo()
    {
        // grpc-js gives up at the deadline by itself; our server's own deadline fires about then, and on a busy
        // machine its log entry can come after the client has finished.
        Assert.True(await run.Host.Logs.WaitForAsync(2, TimeSpan.FromSeconds(10)), "our server logged no deadline");
    }

    /// <summary>Runs the grpc-js client once against one host; each test reads one case's result.</summary>
    public class Run : IAsyncLifetime
    {
        private readonly bool _http2Server;

        public Run()
            : this(http2Server: false)
        {
        }

        protected Run(bool http2Server) => _http2Server = http2Server;

        public RpcTestHost Host { get; private set; } = null!;

        public Dictionary<string, (bool Ok, string Detail)> Results { get; } = [];

        public string Errors { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Host = await RpcTestHost.StartAsync(http2Server: _http2Server);
            var port = (_http2Server ? Host.Http2ServerAddress! : Host.GrpcAddress).Port;
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
