using Google.Protobuf.Reflection;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Health.V1;
using IWouldArgue.Rpc.Reflection.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using ServingStatus = IWouldArgue.Rpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace IWouldArgue.Rpc.Tests.Integration;

public class HealthAndReflectionTests
{
    [Fact]
    public async Task HealthCheck_ServerAndMappedService_AreServing_UnknownIsNotFound()
    {
        await using var host = await RpcTestHost.StartAsync();
        var health = new Health.V1.Health.Client(host.Channel);

        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
        Assert.Equal(ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest { Service = DiagnosticsService.ServiceName })).Status);
        var ex = await Assert.ThrowsAsync<RpcException>(async () => await health.CheckAsync(new HealthCheckRequest { Service = "nope.v1.Missing" }));
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task HealthWatch_SeesTheStatusChange()
    {
        await using var host = await RpcTestHost.StartAsync();
        var store = host.Services.GetRequiredService<HealthStatusStore>();
        using var watch = new Health.V1.Health.Client(host.Channel).Watch(new HealthCheckRequest { Service = DiagnosticsService.ServiceName });

        Assert.True(await watch.ResponseStream.MoveNext());
        Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        store.SetStatus(DiagnosticsService.ServiceName, ServingStatus.NotServing);
        Assert.True(await watch.ResponseStream.MoveNext());

        Assert.Equal(ServingStatus.NotServing, watch.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Reflection_ListsServices_AndDescribesASymbolWithItsImports()
    {
        await using var host = await RpcTestHost.StartAsync();
        using var call = new ServerReflection.Client(host.Channel).ServerReflectionInfo();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext());
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "iwouldargue.v1.EchoStreamResponse" });
        Assert.True(await call.ResponseStream.MoveNext());
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto.Select(b => FileDescriptorProto.Parser.ParseFrom(b)).ToList();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "no.such.Symbol" });
        Assert.True(await call.ResponseStream.MoveNext());
        var missing = call.ResponseStream.Current.ErrorResponse;
        await call.RequestStream.CompleteAsync();

        Assert.Contains(DiagnosticsService.ServiceName, services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Equal("iwouldargue/v1/diagnostics.proto", files[0].Name);
        Assert.Contains(files, f => f.Name == "google/protobuf/timestamp.proto");
        Assert.Equal((int)StatusCode.NotFound, missing.ErrorCode);
    }

    [Fact]
    public void GeneratedServiceBase_EveryRpcIsAbstract_SoAMissingOneFailsTheBuild()
    {
        var rpcs = DiagnosticsService.Descriptor.Methods.Select(m => m.Name).ToList();

        var methods = rpcs.Select(name => typeof(DiagnosticsService.ServiceBase).GetMethod(name)).ToList();

        Assert.Equal(4, rpcs.Count);
        Assert.All(methods, m => Assert.True(m is { IsAbstract: true }, $"{m?.Name} is not abstract"));
    }
}
