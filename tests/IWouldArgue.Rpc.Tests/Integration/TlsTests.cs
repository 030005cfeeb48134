using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Rpc.Tests.Infrastructure;

namespace IWouldArgue.Rpc.Tests.Integration;

public class TlsTests
{
    [Fact]
    public async Task Client_OverTls_NegotiatesHttp2AndCalls()
    {
        using var certificate = SelfSigned();
        await using var host = await RpcTestHost.StartAsync(tlsCertificate: certificate);
        var handler = new SocketsHttpHandler();
        // Trust exactly this test certificate, nothing else.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) =>
            presented is not null && presented.GetCertHashString() == certificate.GetCertHashString();
        using var channel = RpcChannel.ForAddress(host.TlsAddress!, new RpcChannelOptions { HttpHandler = handler });
        var client = new DiagnosticsService.Client(channel);

        var unary = await client.EchoAsync(new EchoRequest { Message = "over tls" });
        using var stream = client.EchoStream(new EchoStreamRequest { Message = "s", Repeat = 3 });
        var count = 0;
        await foreach (var _ in stream.ResponseStream.ReadAllAsync())
        {
            count++;
        }

        Assert.Equal("over tls", unary.Message);
        Assert.Equal(3, count);
    }

    [Fact]
    public async Task Client_OverTls_RefusesAnUntrustedCertificate()
    {
        using var certificate = SelfSigned();
        await using var host = await RpcTestHost.StartAsync(tlsCertificate: certificate);
        using var channel = RpcChannel.ForAddress(host.TlsAddress!);

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await new DiagnosticsService.Client(channel).EchoAsync(new EchoRequest()));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        // Kestrel needs the private key in a loadable form: round-trip through PKCS#12.
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
    }
}
