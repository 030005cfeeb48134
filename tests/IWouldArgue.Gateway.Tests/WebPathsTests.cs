using System.Net;
using IWouldArgue.Testing;

namespace IWouldArgue.Gateway.Tests;

/// <summary>What the browser endpoint answers for paths: the app for its own pages, 404 for anything else.</summary>
public sealed class WebPathsTests : IAsyncLifetime
{
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(new Dictionary<string, string>
    {
        ["Gateway:WebRoot"] = Path.Combine(NodeProcess.RepoRoot, "gateway", "web", "dist"),
    });

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    [InlineData("/join/abc123")]
    [InlineData("/d/some-discussion")]
    [InlineData("/replay/some-discussion/")]
    public async Task TheAppsOwnPages_AnswerWithTheApp(string path)
    {
        using var response = await _gateway.Web.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("/files/d1/a1")]
    [InlineData("/attachment/d1/a1")]
    [InlineData("/d/some-discussion/extra")]
    [InlineData("/favicon-that-does-not-exist.png")]
    public async Task AnyOtherPath_IsNotFound_NotThePage(string path)
    {
        using var response = await _gateway.Web.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
