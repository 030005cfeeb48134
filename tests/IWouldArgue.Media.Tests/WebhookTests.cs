using System.Net;
using System.Text;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Media.LiveKit;
using IWouldArgue.Testing;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Media.Tests.MediaHost;

namespace IWouldArgue.Media.Tests;

/// <summary>LiveKit webhooks signed by livekit-server-sdk (LiveKit's own signer, from npm) are taken; anything else is 401.</summary>
public sealed class WebhookTests : LiveDiscussionTest
{

    private string Joined(string identity) =>
        $$$"""{"event":"participant_joined","id":"EV_1","createdAt":"1763700000","room":{"sid":"RM_1","name":"{{{DiscussionId}}}"},"participant":{"sid":"PA_1","identity":"{{{identity}}}","name":"{{{identity.ToUpperInvariant()}}}"}}""";

    [Fact]
    public async Task SignedParticipantEvents_ChangeWhoIsInTheVoiceRoom()
    {
        Assert.Equal(HttpStatusCode.OK, await PostAsync(Joined("speaker"), await SignAsync(Joined("speaker"))));
        var afterJoin = await PresentAsync();
        var left = Joined("speaker").Replace("participant_joined", "participant_left", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await PostAsync(left, await SignAsync(left)));

        Assert.Equal(["speaker"], afterJoin);
        Assert.Empty(await PresentAsync());
    }

    [Fact]
    public async Task TamperedBodies_WrongKeys_AndMissingHeaders_AreRefused_AndChangeNothing()
    {
        var body = Joined("listener");
        var signature = await SignAsync(body);

        var tampered = await PostAsync(Joined("intruder"), signature);
        var wrongSecret = await PostAsync(body, await SignAsync(body, secret: "not-our-secret"));
        var wrongKey = await PostAsync(body, await SignAsync(body, key: "someone-else"));
        var missing = await PostAsync(body, null);
        var garbage = await PostAsync(body, "not-a-token");

        Assert.All([tampered, wrongSecret, wrongKey, missing, garbage], s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Empty(await PresentAsync());
    }

    [Fact]
    public async Task EgressEnded_RecordsWhereTheRecordingIs_AndGivesUsersOnlyItsDownloadPath()
    {
        await Host.Media.StartRecordingAsync(new StartRecordingRequest { DiscussionId = DiscussionId }, As("host"));
        var (_, asked, askedFile) = await Host.Services.GetRequiredService<IDiscussionStore>().GetRecordingAsync(DiscussionId);
        var body = $$$"""{"event":"egress_ended","egressInfo":{"egressId":"EG_1","roomName":"{{{DiscussionId}}}","status":"EGRESS_COMPLETE","fileResults":[{"filename":"/srv/egress/{{{DiscussionId}}}.ogg","location":"","duration":"61000000000"}]}}""";

        Assert.Equal(HttpStatusCode.OK, await PostAsync(body, await SignAsync(body)));
        var recording = (await Host.Media.GetRecordingAsync(new GetRecordingRequest { DiscussionId = DiscussionId }, As("listener"))).Recording;
        var (_, _, writtenTo) = await Host.Services.GetRequiredService<IDiscussionStore>().GetRecordingAsync(DiscussionId);

        Assert.Equal(RecordingState.Active, asked?.State);
        Assert.StartsWith($"recordings/{DiscussionId}-", askedFile, StringComparison.Ordinal);
        Assert.Equal(askedFile, Assert.Single(LiveKit.Of("StartRoomCompositeEgress")).Body["fileOutputs"]![0]!["filepath"]!.GetValue<string>());
        Assert.Equal(RecordingState.Ready, recording.State);
        Assert.Equal($"/archive/{DiscussionId}/recording", recording.DownloadPath);
        Assert.Equal($"/srv/egress/{DiscussionId}.ogg", writtenTo);
        Assert.Equal(TimeSpan.FromSeconds(61), recording.EndedAt.ToDateTimeOffset() - recording.StartedAt.ToDateTimeOffset());
        var egress = Assert.Single(LiveKit.Of("StartRoomCompositeEgress"));
        Assert.True(egress.Body["audioOnly"]!.GetValue<bool>());
    }

    private async Task<string[]> PresentAsync()
    {
        var services = Host.Services;
        var set = LiveKitWebhooks.VoicePresence(services.GetRequiredService<IStateStore>(), TimeProvider.System, DiscussionId);
        return [.. (await set.ReadAsync()).Keys];
    }

    [Fact]
    public async Task AnOversizedWebhook_IsRefused_WithoutReadingItAll()
    {
        // No Content-Length (chunked): the limit must hold while reading. The server answers 413 and closes,
        // which the client may only see as its upload being cut off; a few MB still sit in socket buffers
        // (before the limit held while reading, Kestrel's own 30 MB limit let ~36 MB through).
        var sent = new GeneratedFileStream("{\"event\":\""u8.ToArray(), 64L * 1024 * 1024);
        using var request = new HttpRequestMessage(HttpMethod.Post, LiveKitWebhooks.Path) { Content = new StreamContent(sent) };

        HttpStatusCode? status;
        try
        {
            using var response = await Host.Web.SendAsync(request);
            status = response.StatusCode;
        }
        catch (HttpRequestException)
        {
            status = null;
        }

        Assert.True(status is null or HttpStatusCode.RequestEntityTooLarge, $"answered {status}");
        Assert.True(sent.Position < 16L * 1024 * 1024, $"the client sent {sent.Position} bytes before the refusal");
    }

    private async Task<HttpStatusCode> PostAsync(string body, string? authorization)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, LiveKitWebhooks.Path) { Content = new StringContent(body, Encoding.UTF8, "application/webhook+json") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }
        using var response = await Host.Web.SendAsync(request);
        return response.StatusCode;
    }

    private static async Task<string> SignAsync(string body, string key = ApiKey, string secret = ApiSecret)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, body);
            var (exit, output, errors) = await NodeProcess.RunAsync(TimeSpan.FromSeconds(60), "node", "livekit/sign-webhook.mjs", key, secret, file);
            Assert.True(exit == 0, errors);
            return output.Single();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
