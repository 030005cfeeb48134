using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Gateway.Tests;

/// <summary>Every RPC of the public contract, called with no token: only those opted in by name answer.</summary>
public sealed class SecureByDefaultTests : IAsyncLifetime
{
    // The RPCs a caller may make before it has a token, by name; everything else needs one.
    private static readonly HashSet<string> Anonymous =
    [
        "iwouldargue.v1.IdentityService/SignUp", "iwouldargue.v1.IdentityService/SignIn", "iwouldargue.v1.IdentityService/SignOut",
        "iwouldargue.v1.IdentityService/RefreshToken", "iwouldargue.v1.IdentityService/JoinAsGuest",
        "iwouldargue.v1.DiscussionsService/PreviewInvite",
        "iwouldargue.v1.DiagnosticsService/Echo", "iwouldargue.v1.DiagnosticsService/EchoStream",
        "iwouldargue.v1.DiagnosticsService/EchoCollect", "iwouldargue.v1.DiagnosticsService/EchoChat",
        "grpc.health.v1.Health/Check", "grpc.health.v1.Health/Watch",
    ];

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);
    private GatewayHost _gateway = null!;

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var service in new[] { IdentityService.Descriptor, DiscussionsService.Descriptor, LiveService.Descriptor, MediaService.Descriptor, AttachmentsService.Descriptor, ArchiveService.Descriptor })
        {
            foreach (var method in service.Methods)
            {
                data.Add($"{service.FullName}/{method.Name}");
            }
        }
        return data;
    }

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync();

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task AnRpcNotOptedIn_RefusesACallerWithoutAToken(string name)
    {
        var status = await CallWithoutTokenAsync(name);

        if (Anonymous.Contains(name))
        {
            Assert.NotEqual(StatusCode.Unauthenticated, status.StatusCode);
        }
        else
        {
            Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
            Assert.Contains("Sign in first", status.Detail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheRefusal_ComesBeforeTheServiceReadsTheRequest()
    {
        // A request the service would refuse as INVALID_ARGUMENT: without a token the caller hears only that it needs one.
        var status = await CallWithoutTokenAsync("iwouldargue.v1.DiscussionsService/PostComment", [0x0A, 0x00]);

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
    }

    [Fact]
    public async Task AccessTokens_AreCheckedByJwtBearer_WithEveryRefusalSaidWithItsReason()
    {
        var schemes = _gateway.Services.GetRequiredService<Microsoft.AspNetCore.Authentication.IAuthenticationSchemeProvider>();
        var bearer = await schemes.GetSchemeAsync(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerDefaults.AuthenticationScheme);
        Assert.Equal(typeof(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler), bearer?.HandlerType);

        var good = (await _gateway.SignUpAsync("Bea")).Tokens.AccessToken;
        var forged = good[..^4] + "AAAA";
        var unsigned = string.Join('.', good.Split('.')[..2]) + ".";
        var withToken = new Func<string, Task<RpcException>>(header => Assert.ThrowsAsync<RpcException>(async () =>
            await new DiscussionsService.DiscussionsServiceClient(_gateway.Channel).ListDiscussionsAsync(new ListDiscussionsRequest(),
                new Metadata { { "authorization", header } })));

        var listed = await new DiscussionsService.DiscussionsServiceClient(_gateway.Channel).ListDiscussionsAsync(new ListDiscussionsRequest(), GatewayHost.Bearer(good));
        Assert.NotNull(listed);
        foreach (var (header, reason) in new[] { ($"Bearer {forged}", "TOKEN_INVALID"), ($"Bearer {unsigned}", "TOKEN_INVALID"), ("Basic dXNlcjpwYXNz", "TOKEN_INVALID"), ("Bearer not.a.jwt", "TOKEN_INVALID") })
        {
            var refused = await withToken(header);
            Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
            Assert.Equal(reason, IWouldArgue.Contracts.RpcErrors.ReasonOf(refused));
        }
    }

    [Fact]
    public async Task DiagnosticsService_IsOffUnlessTurnedOn_AndNotListedByReflection()
    {
        await using var product = await GatewayHost.StartAsync(new Dictionary<string, string> { ["Diagnostics:Enabled"] = "false" });

        var echo = await Assert.ThrowsAsync<RpcException>(async () =>
            await new DiagnosticsService.DiagnosticsServiceClient(product.Channel).EchoAsync(new EchoRequest { Message = "anyone there?" }));
        var listed = new List<string>();
        using (var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(product.Channel).ServerReflectionInfo())
        {
            await reflection.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
            await reflection.RequestStream.CompleteAsync();
            while (await reflection.ResponseStream.MoveNext(CancellationToken.None))
            {
                listed.AddRange(reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
            }
        }

        Assert.Equal(StatusCode.Unimplemented, echo.StatusCode);
        Assert.Contains(DiscussionsService.Descriptor.FullName, listed);
        Assert.DoesNotContain(DiagnosticsService.Descriptor.FullName, listed);
    }

    // One empty request message (or the one given), whatever the call kind; the status the call ended with.
    private async Task<Status> CallWithoutTokenAsync(string name, byte[]? request = null)
    {
        var (service, method) = (name[..name.IndexOf('/')], name[(name.IndexOf('/') + 1)..]);
        var kind = Kind(service, method);
        var call = new Method<byte[], byte[]>(kind, service, method, Bytes, Bytes);
        var invoker = _gateway.Channel.CreateCallInvoker();
        var options = new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10));
        try
        {
            switch (kind)
            {
                case MethodType.Unary:
                    await invoker.AsyncUnaryCall(call, null, options, request ?? []);
                    break;
                case MethodType.ServerStreaming:
                    using (var stream = invoker.AsyncServerStreamingCall(call, null, options, request ?? []))
                    {
                        await stream.ResponseStream.MoveNext();
                    }
                    break;
                default:
                    using (var duplex = invoker.AsyncDuplexStreamingCall(call, null, options))
                    {
                        await duplex.RequestStream.CompleteAsync();
                        await duplex.ResponseStream.MoveNext();
                    }
                    break;
            }
            return Status.DefaultSuccess;
        }
        catch (RpcException e)
        {
            return e.Status;
        }
    }

    private static MethodType Kind(string service, string method)
    {
        var descriptor = new[] { IdentityService.Descriptor, DiscussionsService.Descriptor, LiveService.Descriptor, MediaService.Descriptor, AttachmentsService.Descriptor, ArchiveService.Descriptor }
            .Single(s => s.FullName == service).FindMethodByName(method);
        return (descriptor.IsClientStreaming, descriptor.IsServerStreaming) switch
        {
            (false, false) => MethodType.Unary,
            (false, true) => MethodType.ServerStreaming,
            (true, false) => MethodType.ClientStreaming,
            _ => MethodType.DuplexStreaming,
        };
    }
}
