using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using IWouldArgue.Archive;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Store;
using IWouldArgue.Media;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Attachments.Tests.AttachmentsHost;

namespace IWouldArgue.Attachments.Tests;

/// <summary>Ended discussions: listed for those who were in them, exported as a ZIP, replayed in time, purged after retention.</summary>
[Collection(nameof(MeasuredAlone))]
public sealed class ArchiveTests() : LiveDiscussionTest(new Dictionary<string, string?> { ["Discussions:CommentsPerSecond"] = "100", ["Discussions:CommentBurst"] = "100" })
{
    private static readonly byte[] Png = GeneratedFileStream.PngSignature;

    private async Task PostAsync(string user, string text) =>
        await Host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = DiscussionId, Text = text }, As(user));

    private async Task EndAsync() => await Host.Discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = DiscussionId }, As("host"));

    [Fact]
    public async Task AnEndedDiscussion_IsListedForThoseWhoWereInIt_Only()
    {
        var whileLive = await Host.Archive.ListArchivedDiscussionsAsync(new ListArchivedDiscussionsRequest(), As("listener"));
        await EndAsync();

        var host = await Host.Archive.ListArchivedDiscussionsAsync(new ListArchivedDiscussionsRequest(), As("host"));
        var listener = await Host.Archive.ListArchivedDiscussionsAsync(new ListArchivedDiscussionsRequest(), As("listener"));
        var stranger = await Host.Archive.ListArchivedDiscussionsAsync(new ListArchivedDiscussionsRequest(), As("stranger"));

        Assert.Empty(whileLive.Discussions);
        Assert.Equal(DiscussionId, Assert.Single(host.Discussions).DiscussionId);
        Assert.Equal(DiscussionId, Assert.Single(listener.Discussions).DiscussionId);
        Assert.Empty(stranger.Discussions);
    }

    [Fact]
    public async Task TheExport_HoldsTheDiscussion_CommentsWithOffsets_Events_AndFiles()
    {
        await PostAsync("listener", "first");
        var upload = await Host.Web.SendAsync(Request(HttpMethod.Post, $"/attachments/{DiscussionId}?name=slide.png", "speaker", new StreamContent(new GeneratedPngStream(5000))));
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        await PostAsync("speaker", "second");
        var doomed = (await Host.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = DiscussionId, Text = "regrettable" }, As("listener"))).Comment;
        await Host.Discussions.DeleteCommentAsync(new DeleteCommentRequest { DiscussionId = DiscussionId, CommentId = doomed.CommentId }, As("host"));
        await EndAsync();

        using var response = await Host.Web.SendAsync(Request(HttpMethod.Get, $"/archive/{DiscussionId}/export.zip", "listener"));
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        var log = await Host.Discussions.ListEventsAsync(new ListEventsRequest { DiscussionId = DiscussionId, Limit = 500 }, As("host"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        using var discussion = JsonDocument.Parse(Read(zip, "discussion.json"));
        Assert.Equal(ArchivedDiscussions.Format, discussion.RootElement.GetProperty("format").GetString());
        Assert.Equal(3, discussion.RootElement.GetProperty("attendees").GetArrayLength());
        var comments = Lines(Read(zip, "comments.jsonl"));
        Assert.Equal(["first", "second", ""], comments.Select(c => c.GetProperty("comment").TryGetProperty("text", out var t) ? t.GetString() ?? "" : "").ToArray());
        Assert.True(comments.Select(c => c.GetProperty("offset_ms").GetInt64()).SequenceEqual(comments.Select(c => c.GetProperty("offset_ms").GetInt64()).Order()));
        Assert.Equal(log.Events.Count, Lines(Read(zip, "events.jsonl")).Count);
        var file = Assert.Single(zip.Entries, e => e.FullName.StartsWith("attachments/", StringComparison.Ordinal));
        Assert.EndsWith("-slide.png", file.FullName, StringComparison.Ordinal);
        Assert.Equal(5000, file.Length);
    }

    [Fact]
    public async Task ARecordedDiscussion_ServesItsRecording_WithRanges_ToThoseWhoWereInIt_AndExportsIt()
    {
        await EndAsync();
        var audio = await RecordedAsync(Host, DiscussionId, 200_000);

        using var whole = await Host.Web.SendAsync(Request(HttpMethod.Get, Recordings.DownloadPathOf(DiscussionId), "listener"));
        using var ranged = Request(HttpMethod.Get, Recordings.DownloadPathOf(DiscussionId), "listener");
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(100_000, 100_099);
        using var part = await Host.Web.SendAsync(ranged);
        using var stranger = await Host.Web.SendAsync(Request(HttpMethod.Get, Recordings.DownloadPathOf(DiscussionId), "stranger"));
        using var export = await Host.Web.SendAsync(Request(HttpMethod.Get, $"/archive/{DiscussionId}/export.zip", "listener"));
        using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync());

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal("audio/ogg", whole.Content.Headers.ContentType?.MediaType);
        Assert.Equal(audio, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(audio[100_000..100_100], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
        using var inZip = new MemoryStream();
        await zip.GetEntry($"recording/{DiscussionId}.ogg")!.Open().CopyToAsync(inZip);
        Assert.Equal(audio, inZip.ToArray());
    }

    [Fact]
    public async Task APlayersLink_OpensTheRecordingWithoutTheToken_WithRanges_ThatRecordingOnly()
    {
        await EndAsync();
        var audio = await RecordedAsync(Host, DiscussionId, 50_000);

        using var asked = await Host.Web.SendAsync(Request(HttpMethod.Post, $"{Recordings.DownloadPathOf(DiscussionId)}/link", "listener"));
        var url = (await JsonOf(asked)).GetProperty("url").GetString()!;
        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10_000, 10_999);
        using var part = await Host.Web.SendAsync(ranged);
        var ticket = url[(url.IndexOf("ticket=", StringComparison.Ordinal) + "ticket=".Length)..];
        using var tampered = await Host.Web.GetAsync(url[..^3] + (url[^3..] == "AAA" ? "BBB" : "AAA"));
        using var elsewhere = await Host.Web.GetAsync($"/archive/d_other/recording?ticket={ticket}");
        using var strangerAsks = await Host.Web.SendAsync(Request(HttpMethod.Post, $"{Recordings.DownloadPathOf(DiscussionId)}/link", "stranger"));
        using var anonymous = await Host.Web.PostAsync($"{Recordings.DownloadPathOf(DiscussionId)}/link", null);

        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.DoesNotContain("listener", url, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(audio[10_000..11_000], await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, tampered.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, elsewhere.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, strangerAsks.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public void APlayersLink_Expires_AndIsHonouredByEveryInstanceSharingTheGatewayKey()
    {
        var clock = new ManualClock();
        var shared = Microsoft.Extensions.Options.Options.Create(new Auth.AuthOptions { GatewayKey = Convert.ToBase64String(new byte[32]) });
        var here = new RecordingLinks(shared, clock);
        var there = new RecordingLinks(shared, clock);
        var alone = new RecordingLinks(Microsoft.Extensions.Options.Options.Create(new Auth.AuthOptions()), clock);
        var ticket = here.Issue(new Auth.Caller("u_1", "One", Guest: true, "d_1"), "d_1");

        var elsewhere = there.Verify(ticket, "d_1");
        var otherKey = alone.Verify(ticket, "d_1");
        clock.Advance(RecordingLinks.Lifetime + TimeSpan.FromSeconds(1));
        var late = here.Verify(ticket, "d_1");

        Assert.Equal(new Auth.Caller("u_1", "", Guest: true, "d_1"), elsewhere);
        Assert.Null(otherKey);
        Assert.Null(late);
    }

    [Fact]
    public async Task ARecordingNotReadyOrUnreachable_IsA404InASentence()
    {
        await EndAsync();
        await Host.Services.GetRequiredService<IDiscussionStore>().SaveRecordingAsync(
            new Recording { DiscussionId = DiscussionId, RecordingId = "EG_1", State = RecordingState.Finishing, StartedAt = Timestamp.FromDateTime(DateTime.UtcNow) }, Path.Combine(Host.Folder, "not-yet.ogg"));

        using var response = await Host.Web.SendAsync(Request(HttpMethod.Get, Recordings.DownloadPathOf(DiscussionId), "listener"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("This discussion has no recording that can be played.", (await JsonOf(response)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task TheExport_AlsoComesAsAGrpcStream()
    {
        await PostAsync("listener", "over grpc");
        await EndAsync();

        using var call = Host.Archive.ExportDiscussion(new ExportDiscussionRequest { DiscussionId = DiscussionId }, As("host"));
        var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync())
        {
            chunk.Chunk.WriteTo(bytes);
        }
        bytes.Position = 0;
        using var zip = new ZipArchive(bytes);

        Assert.Contains("over grpc", Read(zip, "comments.jsonl"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replay_PlaysTheCommentsAtTheirPace_AndSeeksByOffset()
    {
        await PostAsync("listener", "one");
        await Task.Delay(1200);
        await PostAsync("listener", "two");
        await Task.Delay(1200);
        await PostAsync("listener", "three");
        await EndAsync();

        // The first replay after the server started also compiles its code path (up to a second here): it is
        // checked for content, the second one for pace too.
        var first = await ReplayAsync(TimeSpan.Zero, ReplaySpeed._4X);
        var all = await ReplayAsync(TimeSpan.Zero, ReplaySpeed._4X);
        var comments = all.Where(r => r.Frame.Event.CommentPosted is not null).ToList();
        var fromSecond = await ReplayAsync(comments[1].Frame.Offset.ToTimeSpan(), ReplaySpeed._4X);

        Assert.Equal(first.Select(r => r.Frame), all.Select(r => r.Frame));
        Assert.Equal(["one", "two", "three"], comments.Select(r => r.Frame.Event.CommentPosted.Comment.Text));
        Assert.True(all.Select(r => r.Frame.Offset.ToTimeSpan()).SequenceEqual(all.Select(r => r.Frame.Offset.ToTimeSpan()).Order()));
        // Never before its offset / 4 (counted from the call, which the server receives after it starts), and
        // not so late that it could have been paced at 2x or 1x. How close to the moment it keeps (the issue
        // asks for 100 ms) is measured by bench/replay.sh: this machine runs other test processes beside this
        // one, and stalls of ~0.9 s have been seen here under that load.
        foreach (var (frame, arrived) in all)
        {
            var due = frame.Offset.ToTimeSpan() / 4;
            Assert.True(arrived >= due - TimeSpan.FromMilliseconds(20), $"a frame due at {due.TotalMilliseconds:F0} ms came at {arrived.TotalMilliseconds:F0} ms");
            Assert.True(arrived < due + TimeSpan.FromMilliseconds(1200), $"a frame due at {due.TotalMilliseconds:F0} ms came at {arrived.TotalMilliseconds:F0} ms");
        }
        Assert.Equal(["two", "three"], fromSecond.Where(r => r.Frame.Event.CommentPosted is not null).Select(r => r.Frame.Event.CommentPosted.Comment.Text));
    }

    [Fact]
    public async Task Replay_BringsAComment_WithoutReactions_ThenEachReactionWithItsTotal()
    {
        await PostAsync("listener", "react to this");
        var comment = (await Host.Discussions.ListCommentsAsync(new ListCommentsRequest { DiscussionId = DiscussionId }, As("host"))).Comments.Single();
        for (var i = 0; i < 2; i++)
        {
            await Host.Discussions.ReactAsync(new ReactRequest { DiscussionId = DiscussionId, CommentId = comment.CommentId, Reaction = Reaction.Heart }, As("host"));
        }
        await EndAsync();

        var replayed = (await ReplayAsync(TimeSpan.Zero, ReplaySpeed._4X)).Select(r => r.Frame.Event).ToList();

        // The log's copy of the comment counts 2 hearts; the replay shows them as they came.
        Assert.Equal(2u, (await Host.Discussions.ListCommentsAsync(new ListCommentsRequest { DiscussionId = DiscussionId }, As("host"))).Comments.Single().Reactions.Single().Count);
        Assert.Empty(replayed.Single(e => e.CommentPosted is not null).CommentPosted.Comment.Reactions);
        Assert.Equal([1u, 2u], replayed.Where(e => e.Reacted is not null).Select(e => e.Reacted.Count));
    }

    [Fact]
    public async Task LiveDiscussions_AreNotArchivedYet_AndStrangersAndBannedPeopleGetNothing()
    {
        var live = await Assert.ThrowsAsync<RpcException>(() => ReplayAsync(TimeSpan.Zero, ReplaySpeed._1X));
        await Host.Discussions.BanUserAsync(new BanUserRequest { DiscussionId = DiscussionId, UserId = "listener" }, As("host"));
        await EndAsync();
        var banned = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = Host.Archive.ExportDiscussion(new ExportDiscussionRequest { DiscussionId = DiscussionId }, As("listener"));
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });
        using var stranger = await Host.Web.SendAsync(Request(HttpMethod.Get, $"/archive/{DiscussionId}/export.zip", "stranger"));

        Assert.Equal(StatusCode.FailedPrecondition, live.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, banned.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, stranger.StatusCode);
    }

    [Fact]
    public async Task AfterItsRetention_ADiscussionIsPurgedEverywhere()
    {
        await using var host = await AttachmentsHost.StartAsync(new Dictionary<string, string?> { ["Archive:Retention"] = "00:00:00.200" });
        var id = await host.LiveDiscussionAsync();
        using var upload = await host.Web.SendAsync(Request(HttpMethod.Post, $"/attachments/{id}?name=keep.png", "host", new StreamContent(new GeneratedPngStream(3000))));
        await host.Discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = id }, As("host"));
        await RecordedAsync(host, id, 1000);
        await Task.Delay(300);

        var purged = await host.Services.GetRequiredService<PurgeJob>().PurgeDueAsync(CancellationToken.None);
        var gone = await Assert.ThrowsAsync<RpcException>(async () => await host.Discussions.GetDiscussionAsync(new GetDiscussionRequest { DiscussionId = id }, As("host")));
        var events = await host.Discussions.ListEventsAsync(new ListEventsRequest { DiscussionId = id }, As("host")).ResponseAsync.ContinueWith(t => t.Exception is null ? t.Result.Events.Count : 0, TaskScheduler.Default);

        Assert.Equal(1, purged);
        Assert.Equal(StatusCode.NotFound, gone.StatusCode);
        Assert.Equal(0, events);
        Assert.DoesNotContain(Directory.EnumerateFiles(host.BlobFolder, "*", SearchOption.AllDirectories), f => !f.Contains("/tmp/", StringComparison.Ordinal));
        Assert.False(File.Exists(RecordingFileOf(host, id)), "the recording's file outlived its discussion");
    }

    // What Media and LiveKit leave behind for a recorded discussion: the egress wrote the file where it was
    // told (here, a folder this server reads too) and the egress_ended webhook marked the recording ready.
    private static async Task<byte[]> RecordedAsync(AttachmentsHost host, string id, int size)
    {
        var audio = new byte[size];
        Random.Shared.NextBytes(audio);
        "OggS"u8.CopyTo(audio);
        await File.WriteAllBytesAsync(RecordingFileOf(host, id), audio);
        await host.Services.GetRequiredService<IDiscussionStore>().SaveRecordingAsync(new Recording
        {
            DiscussionId = id,
            RecordingId = "EG_1",
            State = RecordingState.Ready,
            StartedAt = Timestamp.FromDateTime(DateTime.UtcNow.AddMinutes(-1)),
            EndedAt = Timestamp.FromDateTime(DateTime.UtcNow),
            DownloadPath = Recordings.DownloadPathOf(id),
        }, RecordingFileOf(host, id));
        return audio;
    }

    private static string RecordingFileOf(AttachmentsHost host, string id) => Path.Combine(host.Folder, $"{id}.ogg");

    private async Task<List<(ReplayDiscussionResponse Frame, TimeSpan Arrived)>> ReplayAsync(TimeSpan from, ReplaySpeed speed)
    {
        using var call = Host.Archive.ReplayDiscussion(new ReplayDiscussionRequest { DiscussionId = DiscussionId, FromOffset = Duration.FromTimeSpan(from), Speed = speed }, As("listener"));
        var clock = Stopwatch.StartNew();
        var frames = new List<(ReplayDiscussionResponse, TimeSpan)>();
        await foreach (var frame in call.ResponseStream.ReadAllAsync())
        {
            frames.Add((frame, clock.Elapsed));
        }
        return frames;
    }

    private static string Read(ZipArchive zip, string name)
    {
        using var reader = new StreamReader(zip.GetEntry(name)!.Open());
        return reader.ReadToEnd();
    }

    private static List<JsonElement> Lines(string jsonl) =>
        [.. jsonl.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone())];
}
