using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// Error details as generic gRPC tooling reads them: buf curl (not our code) decodes the grpc-status-details-bin trailer
/// as a google.rpc.Status and names each detail's google.rpc type; the detail's bytes are then read with Google's own
/// generated google.rpc classes (Google.Api.CommonProtos), not with anything of ours.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ErrorDetailsTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    // One comment per 20 s after the burst of 5: a caller limited stays limited while buf curl starts (over a second on a
    // busy machine, which refilled the default bucket and let the "one more" comment through).
    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string> { ["Discussions:CommentsPerSecond"] = "0.05" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task AMissingToken_IsUnauthenticated_WithErrorInfoTokenMissing()
    {
        var error = await BufCurlErrorAsync("iwouldargue.v1.IdentityService/GetMe", "{}", token: null);

        Assert.Equal("unauthenticated", error.GetProperty("code").GetString());
        var info = Detail(error, ErrorInfo.Parser);
        Assert.Equal("TOKEN_MISSING", info.Reason);
        Assert.Equal("iwouldargue.v1", info.Domain);
    }

    [Fact]
    public async Task AnInvalidField_CarriesBadRequestWithTheFieldsPath()
    {
        var token = (await _host.SignUpAsync()).Tokens.AccessToken;

        var error = await BufCurlErrorAsync("iwouldargue.v1.DiscussionsService/CreateDiscussion", """{"title":"   "}""", token);

        Assert.Equal("invalid_argument", error.GetProperty("code").GetString());
        Assert.Equal("title", Detail(error, BadRequest.Parser).FieldViolations.Single().Field);
        Assert.Equal("INVALID_FIELD", Detail(error, ErrorInfo.Parser).Reason);
    }

    [Fact]
    public async Task NotFoundAndPermissionDenied_CarryAReason()
    {
        var hostToken = (await _host.SignUpAsync()).Tokens.AccessToken;
        var attendeeToken = (await _host.SignUpAsync()).Tokens.AccessToken;
        var created = (await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Reasons" }, Bearer(hostToken))).Discussion;
        await _host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, Bearer(hostToken));
        await _host.Discussions.JoinDiscussionAsync(new JoinDiscussionRequest { InviteCode = created.InviteCode }, Bearer(attendeeToken));

        var missing = await BufCurlErrorAsync("iwouldargue.v1.DiscussionsService/GetDiscussion", """{"discussionId":"d_nothing_here"}""", hostToken);
        var denied = await BufCurlErrorAsync("iwouldargue.v1.DiscussionsService/EndDiscussion", $$"""{"discussionId":"{{created.DiscussionId}}"}""", attendeeToken);

        Assert.Equal("not_found", missing.GetProperty("code").GetString());
        Assert.Equal("NOT_FOUND", Detail(missing, ErrorInfo.Parser).Reason);
        Assert.Equal("permission_denied", denied.GetProperty("code").GetString());
        Assert.Equal("PERMISSION_DENIED", Detail(denied, ErrorInfo.Parser).Reason);
    }

    [Fact]
    public async Task TooManyComments_CarryRetryInfo()
    {
        var hostToken = (await _host.SignUpAsync()).Tokens.AccessToken;
        var created = (await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Fast talker" }, Bearer(hostToken))).Discussion;
        await _host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, Bearer(hostToken));
        for (var i = 0; i < 20; i++)
        {
            try
            {
                await _host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = $"burst {i}" }, Bearer(hostToken));
            }
            catch (Grpc.Core.RpcException)
            {
                break;
            }
        }

        var limited = await BufCurlErrorAsync("iwouldargue.v1.DiscussionsService/PostComment", $$"""{"discussionId":"{{created.DiscussionId}}","text":"one more"}""", hostToken);

        Assert.Equal("resource_exhausted", limited.GetProperty("code").GetString());
        Assert.InRange(Detail(limited, RetryInfo.Parser).RetryDelay.ToTimeSpan(), TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(1));
    }

    private static T Detail<T>(JsonElement error, MessageParser<T> parser) where T : IMessage<T>
    {
        var type = parser.ParseFrom(ByteString.Empty).Descriptor.FullName;
        var value = error.GetProperty("details").EnumerateArray().Single(d => d.GetProperty("type").GetString() == type).GetProperty("value").GetString()!;
        // buf prints the bytes in standard base64, padded or not ('+' and '/' appear once a value has the bits for them).
        var standard = value.Replace('-', '+').Replace('_', '/');
        return parser.ParseFrom(Convert.FromBase64String(standard.PadRight(standard.Length + (4 - standard.Length % 4) % 4, '=')));
    }

    // buf curl prints a failed call's status as JSON on stderr, each detail with its type and, when it knows the type, decoded under "debug".
    private async Task<JsonElement> BufCurlErrorAsync(string method, string body, string? token)
    {
        List<string> args = ["curl", "--protocol", "grpc", "--http2-prior-knowledge", "--schema", "../../protos", "-d", body];
        if (token is not null)
        {
            args.AddRange(["-H", $"authorization: Bearer {token}"]);
        }
        args.Add(_host.GrpcAddress + method);
        var (exit, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromMinutes(1), "node_modules/.bin/buf", [.. args]);
        Assert.True(exit != 0, $"buf curl succeeded: {string.Join('\n', output)}");
        return JsonDocument.Parse(errors[errors.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
    }
}
