using System.Text.Json.Nodes;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Media.LiveKit;
using IWouldArgue.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static IWouldArgue.Media.Tests.MediaHost;

namespace IWouldArgue.Media.Tests;

/// <summary>
/// Contract tests of our LiveKit server API calls (no LiveKit server runs here): each call is made once by
/// our client and once by LiveKit's own SDK (livekit-server-sdk from npm) against recording stand-ins, and
/// they must agree — the same Twirp path, the same JSON fields and values, a token with the grants the SDK
/// asks for. Then LiveKit down, slow and failing.
/// </summary>
public sealed class TwirpContractTests : IAsyncLifetime
{
    private LiveKitStandIn _ours = null!;
    private LiveKitStandIn _sdk = null!;

    public async Task InitializeAsync()
    {
        _ours = await LiveKitStandIn.StartAsync();
        _sdk = await LiveKitStandIn.StartAsync();
        _ours.Participants["user-1"] = "TR_1";
        _sdk.Participants["user-1"] = "TR_1";
    }

    public async Task DisposeAsync()
    {
        await _ours.DisposeAsync();
        await _sdk.DisposeAsync();
    }

    private static (LiveKitServer Server, LiveKitTokens Tokens) Client(Uri address, int attempts = 3, TimeSpan? timeout = null)
    {
        var options = Options.Create(new MediaOptions
        {
            LiveKitUrl = address, ApiKey = ApiKey, ApiSecret = ApiSecret, MaxParticipants = 1100,
            EmptyTimeout = TimeSpan.FromMinutes(5), Attempts = attempts, RequestTimeout = timeout ?? TimeSpan.FromSeconds(2),
        });
        var tokens = new LiveKitTokens(options, TimeProvider.System);
        return (new LiveKitServer(new HttpClient(), tokens, options, NullLogger<LiveKitServer>.Instance), tokens);
    }

    [Fact]
    public async Task EveryCall_MatchesWhatLiveKitsOwnSdkSends()
    {
        var (ours, tokens) = Client(_ours.Address);
        await ours.CreateRoomAsync("room-1", "{}", CancellationToken.None);
        await ours.SetCanSpeakAsync("room-1", "user-1", canSpeak: true, CancellationToken.None);
        await ours.MuteAsync("room-1", "user-1", CancellationToken.None);
        await ours.RemoveParticipantAsync("room-1", "user-1", CancellationToken.None);
        await ours.StartRecordingAsync("room-1", RecordingToS3().Target("room-1", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)).Output, CancellationToken.None);
        await ours.StopRecordingAsync("EG_1", CancellationToken.None);
        await ours.DeleteRoomAsync("room-1", CancellationToken.None);
        var (exit, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(60), "node", "livekit/sdk-calls.mjs", _sdk.Address.ToString().TrimEnd('/'), ApiKey, ApiSecret);
        Assert.True(exit == 0 && output.All(l => l.StartsWith("ok ", StringComparison.Ordinal)), string.Join('\n', output) + errors);

        foreach (var method in new[] { "CreateRoom", "UpdateParticipant", "GetParticipant", "MutePublishedTrack", "RemoveParticipant", "StartRoomCompositeEgress", "StopEgress", "DeleteRoom" })
        {
            var mine = Assert.Single(_ours.Of(method));
            var theirs = Assert.Single(_sdk.Of(method));
            Assert.Equal(theirs.Service, mine.Service);
            AssertSameFields(method, theirs.Body, mine.Body);
            var myGrant = Grant(tokens, mine.Authorization);
            var theirGrant = Grant(tokens, theirs.Authorization);
            foreach (var (name, value) in theirGrant.Where(g => g.Value is JsonValue v && (v.TryGetValue<bool>(out var b) ? b : v.ToString().Length > 0)))
            {
                Assert.True(JsonNode.DeepEquals(value, myGrant[name]), $"{method}: the SDK's token grants {name}={value}, ours {myGrant[name]}");
            }
        }
    }

    [Fact]
    public async Task LiveKitDown_IsAClearError_AfterTheRetries()
    {
        var closed = new Uri($"http://127.0.0.1:{LoopbackPorts.Free()}");
        var (client, _) = Client(closed);

        var ex = await Assert.ThrowsAsync<LiveKitException>(() => client.DeleteRoomAsync("room-1", CancellationToken.None));

        Assert.Equal("unreachable", ex.Code);
        Assert.True(ex.Transient);
        Assert.Contains(closed.Authority, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LiveKitSlow_TimesOut_AndIsTriedAgain()
    {
        var (client, _) = Client(_ours.Address, attempts: 2, timeout: TimeSpan.FromSeconds(2));
        // One answered call first, so the stand-in's first request and the client's connection are not what
        // the timeout races on a loaded machine (a cold first attempt once never reached the stand-in in time).
        await client.DeleteRoomAsync("warm-up", CancellationToken.None);
        _ours.Delay = TimeSpan.FromSeconds(30);

        var ex = await Assert.ThrowsAsync<LiveKitException>(() => client.CreateRoomAsync("room-1", "{}", CancellationToken.None));

        Assert.Equal("unreachable", ex.Code);
        Assert.Contains("within 2 s", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, _ours.Of("CreateRoom").Count());
    }

    [Fact]
    public async Task LiveKitFailing_5xx_IsTriedAgainUntilItAnswers()
    {
        _ours.FailNext(2);
        var (client, _) = Client(_ours.Address, attempts: 3);

        await client.SetCanSpeakAsync("room-1", "user-1", canSpeak: false, CancellationToken.None);

        Assert.Equal(3, _ours.Of("UpdateParticipant").Count());
    }

    [Fact]
    public async Task StartingARecording_IsNotRetried_SoItCannotStartTwice()
    {
        _ours.FailNext(1);
        var (client, _) = Client(_ours.Address, attempts: 3);

        await Assert.ThrowsAsync<LiveKitException>(() => client.StartRecordingAsync("room-1", new JsonObject { ["fileType"] = "OGG", ["filepath"] = "recordings/x.ogg" }, CancellationToken.None));

        Assert.Single(_ours.Of("StartRoomCompositeEgress"));
    }

    // Recordings into the attachments' bucket: the egress writes the object with these credentials.
    private static RecordingFiles RecordingToS3() => new(
        Options.Create(new MediaOptions { RecordTo = RecordingStorage.S3 }),
        Options.Create(new S3Options { ServiceUrl = new Uri("http://127.0.0.1:9000"), Bucket = "discussion-files", AccessKey = "AK", SecretKey = "SK", Region = "eu-west-1" }),
        new ServiceCollection().BuildServiceProvider());

    private static JsonObject Grant(LiveKitTokens tokens, string authorization)
    {
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);
        var claims = tokens.Verify(authorization["Bearer ".Length..]);
        Assert.NotNull(claims);
        return claims["video"] as JsonObject ?? [];
    }

    // Every field the SDK sends with a value that is not the default must be sent by us with the same value.
    private static void AssertSameFields(string method, JsonObject theirs, JsonObject mine)
    {
        foreach (var (name, value) in theirs)
        {
            if (value is null || value is JsonValue v && (v.ToString() is "" or "0" or "false"))
            {
                continue;
            }
            Assert.True(mine.ContainsKey(name), $"{method}: the SDK sends {name}, we do not (ours: {mine.ToJsonString()})");
            if (value is JsonObject inner && mine[name] is JsonObject innerMine)
            {
                AssertSameFields($"{method}.{name}", inner, innerMine);
            }
            else
            {
                Assert.True(JsonNode.DeepEquals(Normalize(value), Normalize(mine[name])), $"{method}.{name}: SDK {value.ToJsonString()}, ours {mine[name]?.ToJsonString()}");
            }
        }
    }

    // Protobuf JSON writes numbers either way ("300" or 300); compare them as text.
    private static JsonNode? Normalize(JsonNode? node) => node switch
    {
        JsonValue value => JsonValue.Create(value.ToString()),
        JsonArray array => new JsonArray([.. array.Select(Normalize)]),
        JsonObject obj => new JsonObject(obj.Select(kv => KeyValuePair.Create(kv.Key, Normalize(kv.Value)))),
        _ => null,
    };
}
