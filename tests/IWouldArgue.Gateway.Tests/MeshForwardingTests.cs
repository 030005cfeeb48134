using Google.Rpc;
using Grpc.Net.Client;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Google.Protobuf;
using IWouldArgue.Auth;
using IWouldArgue.BuildingBlocks;
using IWouldArgue.BuildingBlocks.InProcess;
using IWouldArgue.Contracts;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions.Host;
using IWouldArgue.Identity.Host;
using IWouldArgue.Live.Host;
using Grpc.Core;
using IWouldArgue.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using static IWouldArgue.Gateway.Tests.GatewayHost;

namespace IWouldArgue.Gateway.Tests;

/// <summary>
/// The mesh shape in one test process: Identity, Discussions and Live each built by their own host (as
/// their Program.cs does) on their own ports, and the gateway forwarding to them. Only the Dapr sidecar
/// is missing: the services and the gateway share an in-process state store and pub/sub where, in the mesh,
/// each would reach the same Dapr components. Watch streams go to the Live host's gRPC port, which it
/// registers in the state store.
/// </summary>
public sealed class MeshForwardingTests : IAsyncLifetime
{
    private static readonly string GatewayKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
    private readonly string _data = Directory.CreateTempSubdirectory("iwouldargue-mesh-").FullName;
    private readonly InProcessStateStore _sharedState = new(TimeProvider.System);
    private readonly IPubSub _sharedPubSub = new InProcessPubSub(Microsoft.Extensions.Logging.Abstractions.NullLogger<InProcessPubSub>.Instance);
    private readonly ConcurrentQueue<string> _appIdsSeen = new();
    private WebApplication _identity = null!;
    private WebApplication _discussions = null!;
    private WebApplication _live = null!;
    private GatewayHost _gateway = null!;

    /// <summary>The gateway in front of the services running apart (for tests that reuse this mesh).</summary>
    internal GatewayHost Gateway => _gateway;
    private int _discussionsPort;
    private int _livePort;
    private int _discussionsWebPort;
    private string _jwksUrl = "";

    public async Task InitializeAsync()
    {
        var (identityGrpc, identityWeb) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        (_discussionsPort, _discussionsWebPort) = (LoopbackPorts.Free(), LoopbackPorts.Free());
        _discussions = DiscussionsHost.Create(Args("IWouldArgue.Discussions.Host", _discussionsPort, _discussionsWebPort, new()
        {
            ["Discussions:ConnectionString"] = $"Data Source={Path.Combine(_data, "discussions.db")}",
            ["Attachments:StoragePath"] = Path.Combine(_data, "blobs"),
        }), services =>
        {
            services.AddSingleton<IStateStore>(_sharedState);
            services.AddSingleton<IPubSub>(_sharedPubSub);
            services.AddSingleton<IStartupFilter>(new RecordAppIds(_appIdsSeen));
        });
        await _discussions.StartAsync();
        var liveWeb = LoopbackPorts.Free();
        var liveGrpc = _livePort = LoopbackPorts.Free();
        _live = LiveHost.Create(Args("IWouldArgue.Live.Host", liveGrpc, liveWeb, new()
        {
            ["Discussions:ConnectionString"] = $"Data Source={Path.Combine(_data, "discussions.db")}",
            ["Live:InstanceId"] = "live-a",
            ["Live:AdvertisedAddress"] = $"http://127.0.0.1:{liveGrpc}",
        }), services =>
        {
            services.AddSingleton<IStateStore>(_sharedState);
            services.AddSingleton<IPubSub>(_sharedPubSub);
        });
        await _live.StartAsync();
        _identity = IdentityHost.Create(Args("IWouldArgue.Identity.Host", identityGrpc, identityWeb, new()
        {
            ["Identity:ConnectionString"] = $"Data Source={Path.Combine(_data, "identity.db")}",
            ["Identity:PasswordMemoryKiB"] = "64",
            ["Identity:PasswordPasses"] = "1",
            ["Identity:Discussions:Address"] = $"http://127.0.0.1:{_discussionsPort}",
        }));
        await _identity.StartAsync();
        _gateway = await GatewayHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth:GatewayKey"] = GatewayKey,
            ["Auth:JwksUrl"] = _jwksUrl = $"http://127.0.0.1:{identityWeb}/.well-known/jwks.json",
            ["Gateway:Upstreams:Identity:Address"] = $"http://127.0.0.1:{identityGrpc}",
            ["Gateway:Upstreams:Discussions:Address"] = $"http://127.0.0.1:{_discussionsPort}",
            // The edge's per-address sign-in window has its own test; here it stays out of the way of the one below.
            ["Gateway:SignInsPerAddressPerMinute"] = "1000",
            // Deliberately wrong: Watch calls must follow the Live instance registered in the state store.
            ["Gateway:Upstreams:Live:Address"] = $"http://127.0.0.1:{LoopbackPorts.Free()}",
        }, overrides: services => services.AddSingleton<IStateStore>(_sharedState));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        foreach (var app in new[] { _identity, _live, _discussions })
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
        await ((IAsyncDisposable)_sharedPubSub).DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_data, recursive: true);
    }

    private sealed class RecordAppIds(ConcurrentQueue<string> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, following) =>
            {
                if (context.Request.Headers["dapr-app-id"] is { Count: > 0 } id)
                {
                    seen.Enqueue(id.ToString());
                }
                return following(context);
            });
            next(app);
        };
    }

    private static string[] Args(string project, int grpcPort, int webPort, Dictionary<string, string> settings)
    {
        settings["contentRoot"] = Path.Combine(NodeProcess.RepoRoot, "services", project);
        settings["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}";
        settings["Kestrel:Endpoints:Web:Url"] = $"http://127.0.0.1:{webPort}";
        settings["Auth:GatewayKey"] = GatewayKey;
        settings["Logging:LogLevel:Default"] = "Warning";
        return [.. settings.Select(kv => $"--{kv.Key}={kv.Value}")];
    }

    [Fact]
    public async Task BehindTheGateway_IdentityDoesNotCountEveryoneAsTheGatewaysAddress()
    {
        // Identity sees every call come from the gateway; counting sign-ins per address there would let only five
        // people in the whole product sign in per minute. Eight people sign in at once: all get in.
        var people = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var email = $"person{i}-{Guid.NewGuid():N}@example.org";
            await _gateway.Identity.SignUpAsync(new SignUpRequest { Email = email, Password = "correct horse battery", DisplayName = $"P{i}" });
            people.Add(email);
        }

        var signedIn = await Task.WhenAll(people.Select(email =>
            _gateway.Identity.SignInAsync(new SignInRequest { Email = email, Password = "correct horse battery" }).ResponseAsync));

        Assert.All(signedIn, s => Assert.NotEmpty(s.Tokens.AccessToken));
    }

    [Fact]
    public async Task ThroughTheGateway_AHostAndAGuestHoldADiscussion_OnServicesRunningApart()
    {
        var signedUp = await _gateway.SignUpAsync("Meshy");
        var host = Bearer(signedUp.Tokens.AccessToken);
        var created = (await _gateway.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Across the mesh", GuestsMayComment = true }, host)).Discussion;
        await _gateway.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, host);
        var pass = await _gateway.Identity.JoinAsGuestAsync(new JoinAsGuestRequest { InviteCode = created.InviteCode, DisplayName = "Roamer" });
        // JoinAsGuest (Identity, running apart) made the guest a member through Discussions: no JoinDiscussion needed.
        var guest = Bearer(pass.Tokens.AccessToken);

        using var watch = new LiveService.LiveServiceClient(_gateway.Channel).Watch(new WatchRequest { DiscussionId = created.DiscussionId }, host);
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(WatchResponse.FrameOneofCase.Snapshot, watch.ResponseStream.Current.FrameCase);
        await _gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = created.DiscussionId, Text = "relayed twice" }, guest);
        Comment? seen = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (seen is null && await watch.ResponseStream.MoveNext(timeout.Token))
        {
            seen = watch.ResponseStream.Current.Events?.Events.FirstOrDefault(e => e.CommentPosted is not null)?.CommentPosted.Comment;
        }

        Assert.Equal(signedUp.User.UserId, created.Host.UserId);
        Assert.Equal(created.DiscussionId, pass.DiscussionId);
        Assert.Equal("relayed twice", seen?.Text);
        Assert.Equal(pass.User.UserId, seen?.Author.UserId);
    }

    [Fact]
    public async Task ErrorsAndTheirDetails_ComeBackThroughTheGateway_Unchanged()
    {
        var host = Bearer((await _gateway.SignUpAsync()).Tokens.AccessToken);

        var invalid = await Assert.ThrowsAsync<RpcException>(async () => await _gateway.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "" }, host));
        var anonymous = await Assert.ThrowsAsync<RpcException>(async () => await _gateway.Discussions.ListDiscussionsAsync(new ListDiscussionsRequest()));

        Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        Assert.Equal("title", RpcErrors.DetailsOf(invalid)!.GetDetail<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal(StatusCode.Unauthenticated, anonymous.StatusCode);
    }

    [Fact]
    public async Task WhenTheOwningLiveInstanceCannotBeReached_TheNextWatchResumesOnAnotherInstance_BeforeItsRegistrationLapses()
    {
        var (id, host, _) = await LiveDiscussionAsync();
        // An instance that died without deregistering (SIGKILL): still listed for 10 minutes, at an address nobody
        // answers, and named so that rendezvous hashing makes it this discussion's owner over live-a.
        var routes = new IWouldArgue.Discussions.Events.LiveRoutes(_sharedState, TimeProvider.System);
        var ghost = Enumerable.Range(0, 1000).Select(n => $"ghost-{n}").First(name => IWouldArgue.BuildingBlocks.Routing.Rendezvous.Pick(id, [name, "live-a"]) == name);
        await routes.Instances.UpsertAsync(ghost, $"http://127.0.0.1:{LoopbackPorts.Free()}", TimeSpan.FromMinutes(10));
        try
        {
            var live = new LiveService.LiveServiceClient(_gateway.Channel);

            // The gateway routes on the list it last read and refreshes it in the background: watches go to live-a
            // until the refresh brings the ghost, whose first watcher is refused.
            RpcException? first = null;
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (first is null && DateTime.UtcNow < until)
            {
                try
                {
                    using var call = live.Watch(new WatchRequest { DiscussionId = id }, host);
                    await call.ResponseStream.MoveNext(CancellationToken.None);
                    await Task.Delay(200);
                }
                catch (RpcException e)
                {
                    first = e;
                }
            }
            using var second = live.Watch(new WatchRequest { DiscussionId = id }, host);
            Assert.True(await second.ResponseStream.MoveNext(CancellationToken.None));

            Assert.Equal(StatusCode.Unavailable, first?.StatusCode);
            Assert.Equal(WatchResponse.FrameOneofCase.Snapshot, second.ResponseStream.Current.FrameCase);
        }
        finally
        {
            await routes.Instances.RemoveAsync(ghost);
        }
    }

    [Fact]
    public async Task WhenTheRoutingTableCannotBeRead_AWatchIsToldToReconnect_NotAnInternalError()
    {
        var (id, host, _) = await LiveDiscussionAsync();
        await using var blind = await GatewayHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth:GatewayKey"] = GatewayKey,
            ["Auth:JwksUrl"] = _jwksUrl,
            ["Gateway:Upstreams:Identity:Address"] = _gateway.GrpcAddress.ToString(),
            ["Gateway:Upstreams:Discussions:Address"] = $"http://127.0.0.1:{_discussionsPort}",
            ["Gateway:Upstreams:Live:Address"] = $"http://127.0.0.1:{_livePort}",
        }, overrides: services => services.AddSingleton<IStateStore>(new UnreachableStateStore()));

        var refused = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = new LiveService.LiveServiceClient(blind.Channel).Watch(new WatchRequest { DiscussionId = id }, host);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        });

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("reconnect", refused.Status.Detail, StringComparison.Ordinal);
    }

    // A state store whose server is down: every call fails as the NATS client's do when its requests time out.
    private sealed class UnreachableStateStore : IStateStore
    {
        public Task<StateEntry?> GetAsync(string key, CancellationToken cancellationToken = default) => throw new TimeoutException("the state store did not answer");

        public Task<bool> TrySaveAsync(string key, ReadOnlyMemory<byte> value, string? etag = null, TimeSpan? ttl = null, CancellationToken cancellationToken = default) =>
            throw new TimeoutException("the state store did not answer");

        public Task<bool> TryDeleteAsync(string key, string? etag = null, CancellationToken cancellationToken = default) => throw new TimeoutException("the state store did not answer");
    }

    [Fact]
    public async Task AServiceBehindTheGateway_BelievesOnlyTheGatewaysSignature()
    {
        var token = (await _gateway.SignUpAsync()).Tokens.AccessToken;
        using var direct = GrpcChannel.ForAddress($"http://127.0.0.1:{_discussionsPort}");
        var client = new DiscussionsService.DiscussionsServiceClient(direct);
        var forger = new GatewayCallerHeader(Microsoft.Extensions.Options.Options.Create(new AuthOptions { GatewayKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }), TimeProvider.System);

        var withBearer = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDiscussionsAsync(new ListDiscussionsRequest(), Bearer(token)));
        var forged = await Assert.ThrowsAsync<RpcException>(async () => await client.ListDiscussionsAsync(new ListDiscussionsRequest(),
            new CallOptions(new Metadata { { GatewayCallerHeader.Name, forger.Sign(new Caller("u_admin", "Admin", Guest: false)) } })));

        Assert.Equal(StatusCode.Unauthenticated, withBearer.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, forged.StatusCode);
    }

    [Fact]
    public async Task ABrowserCallOverGrpcWeb_IsForwardedAsGrpc()
    {
        var token = (await _gateway.SignUpAsync("Webby")).Tokens.AccessToken;
        var body = new byte[5 + new GetMeRequest().CalculateSize()];
        using var request = new HttpRequestMessage(HttpMethod.Post, "/iwouldargue.v1.IdentityService/GetMe") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc-web+proto");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await _gateway.Web.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, bytes[0]);
        var length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1, 4));
        Assert.Equal("Webby", GetMeResponse.Parser.ParseFrom(bytes, 5, length).User.DisplayName);
        var trailers = System.Text.Encoding.ASCII.GetString(bytes, 10 + length, bytes.Length - 10 - length);
        Assert.Contains("grpc-status:0", trailers.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUpstreamNamedByDaprAppId_IsCalledThroughTheSidecarAddress_WithTheAppIdMetadata()
    {
        await using var viaSidecar = await GatewayViaSidecarAsync();
        var host = Bearer((await _gateway.SignUpAsync()).Tokens.AccessToken);

        var listed = await viaSidecar.Discussions.ListDiscussionsAsync(new ListDiscussionsRequest { Filter = DiscussionFilter.Mine }, host);

        Assert.Empty(listed.Discussions);
        Assert.Contains("discussions", _appIdsSeen);
    }

    [Fact]
    public async Task AnAttachment_IsUploadedAndDownloadedThroughTheGateway_WithRanges_AsTheUploaderIsKnownUpstream()
    {
        var (id, host, token) = await LiveDiscussionAsync();
        var content = PngOf(3 * 1024 * 1024 + 17);

        using var upload = await UploadAsync(_gateway.Web, id, "diagram.png", content, token);
        var added = await AddedAsync(upload);
        var listed = await new AttachmentsService.AttachmentsServiceClient(_gateway.Channel).ListAttachmentsAsync(new ListAttachmentsRequest { DiscussionId = id }, host);
        using var whole = await _gateway.Web.SendAsync(Get($"/attachments/{id}/{added.AttachmentId}", token));
        using var ranged = Get($"/attachments/{id}/{added.AttachmentId}", token);
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var part = await _gateway.Web.SendAsync(ranged);
        using var anonymous = await _gateway.Web.GetAsync($"/attachments/{id}/{added.AttachmentId}");

        Assert.Equal(added.AttachmentId, Assert.Single(listed.Attachments).AttachmentId);
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));
        Assert.Equal("nosniff", whole.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
        Assert.Equal(content.AsSpan(1000, 1000).ToArray(), await part.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task AnOversizedUpload_IsRefusedThroughTheGateway_BeforeItsBodyIsSent_WithTheServicesOwnMessage()
    {
        var (id, _, token) = await LiveDiscussionAsync();
        var declared = new GeneratedPngStream(30L * 1024 * 1024 + 1);

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/attachments/{id}?name=huge.png") { Content = new StreamContent(declared, 64 * 1024) };
        request.Content.Headers.ContentLength = declared.Length;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.ExpectContinue = true;
        using var refused = await _gateway.Web.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, refused.StatusCode);
        Assert.Contains("larger than 30 MB", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(declared.Position < 1024 * 1024, $"the client sent {declared.Position} bytes before the refusal");
    }

    [Fact]
    public async Task TheExportOfAnEndedDiscussion_IsDownloadedThroughTheGateway()
    {
        var (id, host, token) = await LiveDiscussionAsync();
        await _gateway.Discussions.PostCommentAsync(new PostCommentRequest { DiscussionId = id, Text = "for the record" }, host);
        await _gateway.Discussions.EndDiscussionAsync(new EndDiscussionRequest { DiscussionId = id }, host);

        using var export = await _gateway.Web.SendAsync(Get($"/archive/{id}/export.zip", token));
        await using var zipStream = await export.Content.ReadAsStreamAsync();
        using var zip = new System.IO.Compression.ZipArchive(zipStream, System.IO.Compression.ZipArchiveMode.Read);

        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType?.MediaType);
        using var comments = new StreamReader(zip.GetEntry("comments.jsonl")!.Open());
        Assert.Contains("for the record", await comments.ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttpToAnUpstreamNamedByDaprAppId_GoesThroughTheSidecarsHttpPort_WithTheAppIdHeader()
    {
        await using var viaSidecar = await GatewayViaSidecarAsync();
        var (id, _, token) = await LiveDiscussionAsync();
        var content = PngOf(64 * 1024);

        using var upload = await UploadAsync(viaSidecar.Web, id, "through-dapr.png", content, token);
        var added = await AddedAsync(upload);
        using var download = await viaSidecar.Web.SendAsync(Get($"/attachments/{id}/{added.AttachmentId}", token));

        Assert.Equal(content, await download.Content.ReadAsByteArrayAsync());
        Assert.Contains("discussions", _appIdsSeen);
    }

    [Fact]
    public async Task WhenTheServiceBehindAnHttpRouteIsDown_TheGatewayAnswers503InASentence()
    {
        var (id, _, token) = await LiveDiscussionAsync();
        await _discussions.StopAsync();

        using var response = await _gateway.Web.SendAsync(Get($"/attachments/{id}/att_missing", token));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("cannot be reached", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    // No Dapr runtime runs here: the Discussions host stands where the sidecar would be — its gRPC port for
    // the sidecar's gRPC port, its HTTP/1.1 port for the sidecar's HTTP port — and records the dapr-app-id
    // a sidecar would route by.
    private Task<GatewayHost> GatewayViaSidecarAsync()
    {
        return GatewayHost.StartAsync(new Dictionary<string, string>
        {
            ["Auth:GatewayKey"] = GatewayKey,
            ["Auth:JwksUrl"] = _jwksUrl,
            ["Gateway:Upstreams:Identity:Address"] = _gateway.GrpcAddress.ToString(),
            ["Gateway:Upstreams:Discussions:DaprAppId"] = "discussions",
            ["Dapr:GrpcEndpoint"] = $"http://127.0.0.1:{_discussionsPort}",
            ["Dapr:HttpEndpoint"] = $"http://127.0.0.1:{_discussionsWebPort}",
            ["Gateway:Upstreams:Live:Address"] = $"http://127.0.0.1:{_livePort}",
        }, overrides: services => services.AddSingleton<IStateStore>(_sharedState));
    }

    private async Task<(string Id, CallOptions Host, string Token)> LiveDiscussionAsync()
    {
        var token = (await _gateway.SignUpAsync()).Tokens.AccessToken;
        var host = Bearer(token);
        var created = (await _gateway.Discussions.CreateDiscussionAsync(new CreateDiscussionRequest { Title = "Files across the mesh" }, host)).Discussion;
        await _gateway.Discussions.StartDiscussionAsync(new StartDiscussionRequest { DiscussionId = created.DiscussionId }, host);
        return (created.DiscussionId, host, token);
    }

    private static byte[] PngOf(int length)
    {
        using var png = new GeneratedPngStream(length);
        var bytes = new byte[length];
        png.ReadExactly(bytes);
        return bytes;
    }

    private static HttpRequestMessage Get(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static async Task<Attachment> AddedAsync(HttpResponseMessage upload)
    {
        var body = await upload.Content.ReadAsStringAsync();
        Assert.True(upload.StatusCode == HttpStatusCode.Created, $"{(int)upload.StatusCode}: {body}");
        return Attachment.Parser.WithDiscardUnknownFields(true).ParseJson(body);
    }

    private static Task<HttpResponseMessage> UploadAsync(HttpClient web, string id, string name, byte[] content, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/attachments/{id}?name={Uri.EscapeDataString(name)}") { Content = new ByteArrayContent(content) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return web.SendAsync(request);
    }

    [Fact]
    public async Task WhenAServiceIsDown_TheGatewaySaysUnavailable()
    {
        var host = Bearer((await _gateway.SignUpAsync()).Tokens.AccessToken);
        await _discussions.StopAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await _gateway.Discussions.ListDiscussionsAsync(new ListDiscussionsRequest(), host));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }
}
