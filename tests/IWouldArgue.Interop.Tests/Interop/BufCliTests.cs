using IWouldArgue.Testing;
using IWouldArgue.Interop.Tests.Infrastructure;

namespace IWouldArgue.Interop.Tests.Interop;

/// <summary>The buf CLI (from npm) as an independent client: lint, breaking-change check, reflection and gRPC-Web calls.</summary>
[Trait("Category", "Interop")]
public class BufCliTests(InteropHostFixture fixture) : IClassFixture<InteropHostFixture>
{
    private const string Buf = "node_modules/.bin/buf";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task Lint_PublicProtos_AreClean()
    {
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, Buf, "lint", "../../protos");

        Assert.True(exit == 0, string.Join('\n', output) + errors);
    }

    [Fact]
    public async Task Breaking_AgainstThePublishedV1_FindsNoBreakingChange()
    {
        // The contract as published (an image built by buf, committed): comparing with the main branch instead finds
        // nothing once a change has landed there, which is when CI runs.
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, Buf, "breaking", "../../protos", "--against", "published-v1.binpb");

        Assert.True(exit == 0, string.Join('\n', output) + errors);
    }

    [Fact]
    public async Task Breaking_AgainstMainBranch_FindsNoBreakingChange()
    {
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, Buf, "breaking", "../../protos", "--against", "../../.git#branch=main,subdir=protos");

        Assert.True(exit == 0, string.Join('\n', output) + errors);
    }

    [Fact]
    public async Task TheManagedModeExample_GivesJavaItsPackages()
    {
        // The example's managed settings, with Java's generator from the protoc that Grpc.Tools ships (no network here
        // for Go's plugins): every file lands under the example's prefix, none in a package we did not choose.
        var example = await File.ReadAllTextAsync(Path.Combine(NodeProcess.RepoRoot, "protos", "buf.gen.example.yaml"));
        var output = Directory.CreateTempSubdirectory("iwouldargue-java-").FullName;
        try
        {
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            var nugetProtoc = Directory.GetFiles(Path.Combine(packages, "grpc.tools"), "protoc", SearchOption.AllDirectories)
                .First(p => p.Contains("linux_x64", StringComparison.Ordinal));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(nugetProtoc, File.GetUnixFileMode(nugetProtoc) | UnixFileMode.UserExecute);
            }
            var template = example[..example.IndexOf("plugins:", StringComparison.Ordinal)]
                + $"plugins:\n  - protoc_builtin: java\n    protoc_path: {nugetProtoc}\n    out: {output}\n";
            var templateFile = Path.Combine(output, "buf.gen.yaml");
            await File.WriteAllTextAsync(templateFile, template);

            var (exit, lines, errors) = await NodeProcess.RunAsync(Timeout, Buf, "generate", "../../protos", "--template", templateFile);

            Assert.True(exit == 0, string.Join('\n', lines) + errors);
            var live = await File.ReadAllTextAsync(Path.Combine(output, "com", "yourorg", "yourapp", "iwouldargue", "v1", "WatchRequest.java"));
            Assert.Contains("package com.yourorg.yourapp.iwouldargue.v1;", live, StringComparison.Ordinal);
            Assert.DoesNotContain(Directory.GetFiles(output, "*.java", SearchOption.AllDirectories), f => !f.Contains(Path.Combine("com", "yourorg", "yourapp"), StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public async Task ListMethods_ThroughReflection_ShowsEveryService()
    {
        var (exit, output, errors) = await Curl("--list-methods", Grpc(""));

        Assert.True(exit == 0, errors);
        Assert.Contains("iwouldargue.v1.DiagnosticsService/EchoChat", output);
        Assert.Contains("grpc.health.v1.Health/Watch", output);
    }

    [Fact]
    public async Task ListServices_ThroughReflectionV1Alpha_Works()
    {
        var (exit, output, errors) = await Curl("--reflect-protocol", "grpc-v1alpha", "--list-services", Grpc(""));

        Assert.True(exit == 0, errors);
        Assert.Contains("iwouldargue.v1.DiagnosticsService", output);
    }

    [Fact]
    public async Task Call_Echo_WithSchemaFromReflection_Answers()
    {
        var (exit, output, errors) = await Curl("-d", """{"message":"via buf"}""", Grpc("/iwouldargue.v1.DiagnosticsService/Echo"));

        Assert.True(exit == 0, errors);
        Assert.Contains("\"message\": \"via buf\"", string.Join('\n', output), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcWeb_ServerStreamOverHttp1_DeliversEachMessage()
    {
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, Buf, "curl", "--schema", "../../protos", "--protocol", "grpcweb",
            "-d", """{"message":"web","repeat":3}""", new Uri(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/EchoStream").ToString());

        Assert.True(exit == 0, errors);
        Assert.Equal(3, output.Count(l => l.Contains("\"index\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GrpcWeb_OverHttp2_OnTheGrpcPort_DeliversEachMessage()
    {
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, Buf, "curl", "--schema", "../../protos", "--protocol", "grpcweb", "--http2-prior-knowledge",
            "-d", """{"message":"web over h2","repeat":3}""", Grpc("/iwouldargue.v1.DiagnosticsService/EchoStream"));

        Assert.True(exit == 0, errors);
        Assert.Equal(3, output.Count(l => l.Contains("\"index\"", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GrpcWeb_ErrorStatus_ReachesBuf()
    {
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, Buf, "curl", "--schema", "../../protos", "--protocol", "grpcweb",
            "-d", """{"fail_with_code":5,"fail_with_message":"no such discussion"}""", new Uri(fixture.Host.WebAddress, "/iwouldargue.v1.DiagnosticsService/Echo").ToString());

        Assert.NotEqual(0, exit);
        var all = string.Join('\n', output) + errors;
        Assert.Contains("not_found", all, StringComparison.Ordinal);
        Assert.Contains("no such discussion", all, StringComparison.Ordinal);
    }

    private string Grpc(string path) => fixture.Host.GrpcAddress + path.TrimStart('/');

    private static Task<(int, IReadOnlyList<string>, string)> Curl(params string[] args) =>
        NodeProcess.RunAsync(Timeout, Buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", .. args]);
}
