using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Google.Rpc;
using IWouldArgue.Attachments.Blobs;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Testing;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

/// <summary>Profiles: a picture uploaded and checked like shared images, a name and picture set together, and both carried by what the person does next.</summary>
public sealed class ProfileTests : IAsyncLifetime
{
    private GatewayHost _host = null!;

    private AttachmentsService.AttachmentsServiceClient Attachments => new(_host.Channel);

    // Unreferenced bytes are swept at once, so a picture that survives a sweep is kept on purpose.
    public async Task InitializeAsync() => _host = await GatewayHost.StartAsync(new Dictionary<string, string> { ["Attachments:SweepGrace"] = "00:00:00" });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task APictureSetOnTheProfile_IsServedToAnyone_AndComesWithTheNameOnWhatThePersonDoesNext()
    {
        var ada = await _host.SignUpAsync("Ada");
        var png = ReadAll(new GeneratedPngStream(40_000));

        var uploaded = await PostAvatarAsync(ada.Tokens.AccessToken, png);
        var profile = await _host.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = "Ada L.", AvatarUrl = uploaded }, Bearer(ada.Tokens.AccessToken));
        var token = Bearer(profile.AccessToken);
        await _host.Services.GetRequiredService<BlobCollector>().SweepAsync(CancellationToken.None);
        using var served = await _host.Web.GetAsync(new Uri(uploaded, UriKind.Relative)); // no token: an <img> sends none

        Assert.Matches("^/attachments/avatars/[0-9a-f]{64}$", uploaded);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        Assert.Equal(png, await served.Content.ReadAsByteArrayAsync());
        Assert.True(served.Headers.CacheControl is { Public: true, MaxAge.TotalDays: >= 365 });
        Assert.Equal("nosniff", served.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(("Ada L.", uploaded), (profile.User.DisplayName, profile.User.AvatarUrl));

        // The new token carries the profile: the discussion's host, a comment and the speaker list show it.
        var created = (await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Faces" }, token)).Discussion;
        await _host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, token);
        var comment = (await _host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "Hello" }, token)).Comment;
        var stage = (await _host.Discussions.ListAttendeesAsync(new ListAttendeesRequest { DiscussionId = created.DiscussionId }, token)).Attendees.Single();
        Assert.Equal(("Ada L.", uploaded), (comment.Author.DisplayName, comment.Author.AvatarUrl));
        Assert.Equal(uploaded, stage.User.AvatarUrl);
        // A refreshed token carries it too, and taking the picture off takes it off what comes next.
        var refreshed = await _host.Identity.RefreshTokenAsync(new RefreshTokenRequest { RefreshToken = ada.Tokens.RefreshToken });
        var again = (await _host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "Still me" }, Bearer(refreshed.Tokens.AccessToken))).Comment;
        var plain = await _host.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = "Ada" }, Bearer(refreshed.Tokens.AccessToken));
        var me = await _host.Identity.GetMeAsync(new GetMeRequest(), Bearer(plain.AccessToken));
        Assert.Equal(uploaded, again.Author.AvatarUrl);
        Assert.Equal(("Ada", ""), (me.User.DisplayName, me.User.AvatarUrl));
    }

    [Fact]
    public async Task WhatIsNotASmallWellFormedImage_IsRefusedNamingImage()
    {
        var ada = Bearer((await _host.SignUpAsync("Ada")).Tokens.AccessToken);
        var html = "<html><script>alert(1)</script></html>"u8.ToArray();
        var fakePng = (byte[])[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. html];
        var tall = ReadAll(new GeneratedPngStream(140_000)); // 63 x ~2,180 pixels in 140 KB
        var heavy = ReadAll(new GeneratedPngStream(1_100_000));

        var refusals = new List<RpcException>();
        foreach (var image in new[] { html, fakePng, tall, heavy, [] })
        {
            refusals.Add(await Assert.ThrowsAsync<RpcException>(async () =>
                await Attachments.UploadAvatarAsync(new UploadAvatarRequest { Image = ByteString.CopyFrom(image) }, ada)));
        }

        Assert.All(refusals, e => Assert.Equal((StatusCode.InvalidArgument, "image"), (e.StatusCode, FieldOf(e))));
        Assert.Contains("x 2048", refusals[2].Status.Detail, StringComparison.Ordinal);
        Assert.Contains("1024 KiB", refusals[3].Status.Detail, StringComparison.Ordinal);
        // Over plain HTTP: a 400 with the same sentence, and no picture behind it.
        using var overHttp = await PostAvatarRawAsync(ada.Headers!.GetValue("authorization")!, fakePng);
        Assert.Equal(HttpStatusCode.BadRequest, overHttp.StatusCode);
        Assert.Contains("is not a PNG, JPEG, GIF or WebP image", await overHttp.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GuestsHaveNoProfile_AProfileTakesOnlyOurOwnPictures_AndUnknownPicturesAreNotFound()
    {
        var host = Bearer((await _host.SignUpAsync("Hana")).Tokens.AccessToken);
        var created = (await _host.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Guests" }, host)).Discussion;
        await _host.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, host);
        var guest = Bearer((await _host.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = created.InviteCode, DisplayName = "Visitor" })).Tokens.AccessToken);

        var guestUpload = await Assert.ThrowsAsync<RpcException>(async () =>
            await Attachments.UploadAvatarAsync(new UploadAvatarRequest { Image = ByteString.CopyFrom(ReadAll(new GeneratedPngStream(10_000))) }, guest));
        var guestProfile = await Assert.ThrowsAsync<RpcException>(async () =>
            await _host.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = "Visitor" }, guest));
        var elsewhere = await Assert.ThrowsAsync<RpcException>(async () =>
            await _host.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = "Hana", AvatarUrl = "https://tracker.example/pixel.png" }, host));
        var noName = await Assert.ThrowsAsync<RpcException>(async () =>
            await _host.Identity.UpdateProfileAsync(new UpdateProfileRequest { DisplayName = " " }, host));
        using var unknown = await _host.Web.GetAsync(new Uri("/attachments/avatars/" + new string('a', 64), UriKind.Relative));
        using var notAHash = await _host.Web.GetAsync(new Uri("/attachments/avatars/..%2Fdiscussions.db", UriKind.Relative));

        Assert.Equal([StatusCode.PermissionDenied, StatusCode.PermissionDenied], new[] { guestUpload.StatusCode, guestProfile.StatusCode });
        Assert.Equal(("avatar_url", "display_name"), (FieldOf(elsewhere), FieldOf(noName)));
        Assert.Equal([HttpStatusCode.NotFound, HttpStatusCode.NotFound], new[] { unknown.StatusCode, notAHash.StatusCode });
    }

    private async Task<string> PostAvatarAsync(string accessToken, byte[] image)
    {
        using var response = await PostAvatarRawAsync("Bearer " + accessToken, image);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("avatarUrl").GetString()!;
    }

    private async Task<HttpResponseMessage> PostAvatarRawAsync(string authorization, byte[] image)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/attachments/avatars") { Content = new ByteArrayContent(image) };
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return await _host.Web.SendAsync(request);
    }

    private static byte[] ReadAll(Stream stream)
    {
        using (stream)
        {
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
    }

    private static string? FieldOf(RpcException e) => RpcErrors.DetailsOf(e)?.GetDetail<BadRequest>()?.FieldViolations.SingleOrDefault()?.Field;
}
