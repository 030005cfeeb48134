using System.Net;
using System.Net.Sockets;

namespace IWouldArgue.Testing;

/// <summary>Ports for test servers: asked of the OS, on loopback only.</summary>
public static class LoopbackPorts
{
    /// <summary>A port that was free a moment ago on 127.0.0.1.</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
