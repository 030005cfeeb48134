using Google.Rpc;
using System.Text.Json;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Media.LiveKit;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.Extensions.Options;
using static IWouldArgue.Media.Tests.MediaHost;

namespace IWouldArgue.Media.Tests;

/// <summary>Voice tokens as LiveKit's own code (livekit-server-sdk's TokenVerifier, from npm) reads them.</summary>
public sealed class TokenTests : LiveDiscussionTest
{

    [Theory]
    [InlineData("host", true)]
    [InlineData("cohost", true)]
    [InlineData("speaker", true)]
    [InlineData("listener", false)]
    public async Task EachRolesToken_CarriesItsGrants_AsLiveKitReadsThem(string user, bool speaks)
    {
        var voice = await Host.Media.JoinVoiceAsync(new JoinVoiceRequest { DiscussionId = DiscussionId }, As(user));

        var claims = (await VerifyAsync(ApiKey, ApiSecret, voice.Token)).Single();

        Assert.True(claims.GetProperty("ok").GetBoolean(), claims.ToString());
        var c = claims.GetProperty("claims");
        Assert.Equal(user, c.GetProperty("sub").GetString());
        Assert.Equal(user.ToUpperInvariant(), c.GetProperty("name").GetString());
        Assert.Equal(ApiKey, c.GetProperty("iss").GetString());
        var video = c.GetProperty("video");
        Assert.Equal(DiscussionId, video.GetProperty("room").GetString());
        Assert.True(video.GetProperty("roomJoin").GetBoolean());
        Assert.True(video.GetProperty("canSubscribe").GetBoolean());
        Assert.Equal(speaks, video.GetProperty("canPublish").GetBoolean());
        Assert.Equal(speaks, video.GetProperty("canPublishData").GetBoolean());
        Assert.Equal(speaks ? ["microphone"] : Array.Empty<string>(), video.GetProperty("canPublishSources").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.False(video.TryGetProperty("roomAdmin", out _));
        Assert.Equal(speaks, voice.CanSpeak);
        Assert.StartsWith("ws://127.0.0.1:", voice.ServerUrl, StringComparison.Ordinal);
        Assert.InRange(voice.TokenExpiresAt.ToDateTimeOffset() - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task ExpiredTokens_AndTokensSignedWithAnotherSecret_AreRefusedByLiveKitsVerifier()
    {
        var anHourAgo = new ManualClock(DateTimeOffset.UtcNow.AddHours(-1));
        var options = Options.Create(new MediaOptions { LiveKitUrl = new Uri("ws://127.0.0.1:7880"), ApiKey = ApiKey, ApiSecret = ApiSecret });
        var expired = new LiveKitTokens(options, anHourAgo).ForParticipant("room", "user", "User", canSpeak: true).Token;
        var current = new LiveKitTokens(options, TimeProvider.System).ForParticipant("room", "user", "User", canSpeak: true).Token;

        var results = await VerifyAsync(ApiKey, ApiSecret, expired, current);
        var wrongSecret = (await VerifyAsync(ApiKey, "another-secret", current)).Single();

        Assert.False(results[0].GetProperty("ok").GetBoolean());
        Assert.True(results[1].GetProperty("ok").GetBoolean());
        Assert.False(wrongSecret.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public async Task RemovedAndBannedPeople_GetNoToken()
    {
        await Host.Discussions.RemoveAttendeeAsync(new RemoveAttendeeRequest { DiscussionId = DiscussionId, UserId = "listener" }, As("host"));
        await Host.Discussions.BanUserAsync(new BanUserRequest { DiscussionId = DiscussionId, UserId = "speaker" }, As("host"));

        var removed = await Assert.ThrowsAsync<RpcException>(async () => await Host.Media.JoinVoiceAsync(new JoinVoiceRequest { DiscussionId = DiscussionId }, As("listener")));
        var banned = await Assert.ThrowsAsync<RpcException>(async () => await Host.Media.JoinVoiceAsync(new JoinVoiceRequest { DiscussionId = DiscussionId }, As("speaker")));
        var stranger = await Assert.ThrowsAsync<RpcException>(async () => await Host.Media.JoinVoiceAsync(new JoinVoiceRequest { DiscussionId = DiscussionId }, As("stranger")));

        Assert.All([removed, banned, stranger], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
    }

    [Fact]
    public async Task WithoutLiveKitSettings_VoiceIsReportedUnavailable_AndTheRestWorks()
    {
        await using var host = await MediaHost.StartAsync(liveKit: null);
        var id = await host.LiveDiscussionAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Media.JoinVoiceAsync(new JoinVoiceRequest { DiscussionId = id }, As("host")));
        await host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = "still here" }, As("listener"));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal("VOICE_DISABLED", RpcErrors.ReasonOf(ex));
    }

    [Fact]
    public async Task WithoutLiveKitSettings_SomeoneWhoMayNotRecordOrMute_HearsThat_NotThatVoiceIsOff()
    {
        await using var host = await MediaHost.StartAsync(liveKit: null);
        var id = await host.LiveDiscussionAsync();

        var record = await Assert.ThrowsAsync<RpcException>(async () => await host.Media.StartRecordingAsync(new StartRecordingRequest { DiscussionId = id }, As("listener")));
        var stop = await Assert.ThrowsAsync<RpcException>(async () => await host.Media.StopRecordingAsync(new StopRecordingRequest { DiscussionId = id }, As("listener")));
        var mute = await Assert.ThrowsAsync<RpcException>(async () => await host.Media.MuteParticipantAsync(new MuteParticipantRequest { DiscussionId = id, UserId = "host" }, As("listener")));
        var hostRecords = await Assert.ThrowsAsync<RpcException>(async () => await host.Media.StartRecordingAsync(new StartRecordingRequest { DiscussionId = id }, As("host")));

        Assert.All([record, stop, mute], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Equal(StatusCode.FailedPrecondition, hostRecords.StatusCode);
        Assert.Equal("VOICE_DISABLED", RpcErrors.ReasonOf(hostRecords));
    }

    [Fact]
    public async Task RecordingToS3WithoutS3_IsRefusedAtStartUp_Naming_TheSettingToSet()
    {
        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            await MediaHost.StartAsync(liveKit: null, new Dictionary<string, string?> { ["Media:RecordTo"] = "S3" }));

        Assert.Contains("Attachments:S3:ServiceUrl", ex.Message, StringComparison.Ordinal);
    }

    private static async Task<JsonElement[]> VerifyAsync(string key, string secret, params string[] tokens)
    {
        var (exit, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(60), "node", ["livekit/verify-token.mjs", key, secret, .. tokens]);
        Assert.True(exit == 0, errors);
        return [.. output.Select(line => JsonDocument.Parse(line).RootElement.Clone())];
    }
}
