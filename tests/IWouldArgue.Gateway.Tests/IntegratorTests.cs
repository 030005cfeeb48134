using System.Text.Json;
using IWouldArgue.Testing;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// An integrator's path with a client that is not ours: the buf CLI (from npm) calls the gateway over
/// plain gRPC (HTTP/2), learning the API by server reflection, with a bearer token from Identity.
/// </summary>
public sealed class IntegratorTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task BufCurl_SignsIn_ThenCreatesAndReadsADiscussion_WithABearerToken()
    {
        var signUp = await Curl(null, "/iwouldargue.v1.IdentityService/SignUp",
            """{"email":"integrator@example.org","password":"correct horse battery","displayName":"Integrator"}""");
        var token = signUp.GetProperty("tokens").GetProperty("accessToken").GetString()!;

        var created = await Curl(token, "/iwouldargue.v1.DiscussionsService/CreateDiscussion", """{"title":"From buf"}""");
        var id = created.GetProperty("discussion").GetProperty("discussionId").GetString();
        var read = await Curl(token, "/iwouldargue.v1.DiscussionsService/GetDiscussion", $$"""{"discussionId":"{{id}}"}""");
        var (refusedExit, _, refusedErrors) = await NodeProcess.RunAsync(Timeout, "node_modules/.bin/buf", "curl", "--protocol", "grpc", "--http2-prior-knowledge",
            "-d", """{"title":"no token"}""", new Uri(_gateway.GrpcAddress, "/iwouldargue.v1.DiscussionsService/CreateDiscussion").ToString());

        Assert.Equal("From buf", read.GetProperty("discussion").GetProperty("title").GetString());
        Assert.Equal("Integrator", read.GetProperty("discussion").GetProperty("host").GetProperty("displayName").GetString());
        Assert.NotEqual(0, refusedExit);
        Assert.Contains("unauthenticated", refusedErrors, StringComparison.Ordinal);
    }

    private async Task<JsonElement> Curl(string? token, string method, string body)
    {
        List<string> args = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "-d", body];
        if (token is not null)
        {
            args.AddRange(["-H", "authorization: Bearer " + token]);
        }
        args.Add(new Uri(_gateway.GrpcAddress, method).ToString());
        var (exit, output, errors) = await NodeProcess.RunAsync(Timeout, "node_modules/.bin/buf", [.. args]);
        Assert.True(exit == 0, $"buf curl {method} failed: {errors}");
        return JsonDocument.Parse(string.Join('\n', output)).RootElement.Clone();
    }
}
