using System.Net;
using System.Net.Sockets;

namespace IWouldArgue.Testing;

/// <summary>Free loopback ports for test servers.</summary>
public static class LoopbackPorts
{
    private const int Lowest = 10_000;
    private static readonly HashSet<int> HandedOut = [];
    // Locks held for the life of this process on the ports it handed out (see Reserve).
    private static readonly List<FileStream> Reservations = [];
    private static readonly string ReservationFolder = Path.Combine(Path.GetTempPath(), "iwouldargue-test-ports");

    /// <summary>
    /// A port free on 127.0.0.1 now, below the kernel's range of ephemeral ports where there is room: a port from
    /// that range can be taken by any outgoing connection between this call and the bind that uses it (a Live
    /// test host failed to start with "address already in use" that way). No port is handed out twice, in this
    /// process or in another test process running beside it (the test projects run in parallel).
    /// </summary>
    public static int Free()
    {
        var ephemeralLow = EphemeralLow();
        for (var attempt = 0; ephemeralLow - Lowest > 1_000 && attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(Lowest, ephemeralLow);
            lock (HandedOut)
            {
                if (!HandedOut.Add(port))
                {
                    continue;
                }
            }
            if (Reserve(port) && IsFree(port))
            {
                return port;
            }
        }
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    // An exclusive lock on a file named after the port, which the kernel drops when the process ends however it
    // ends: two test processes never hand out the same port between one's check and its bind.
    private static bool Reserve(int port)
    {
        Directory.CreateDirectory(ReservationFolder);
        try
        {
            var held = new FileStream(Path.Combine(ReservationFolder, port.ToString(System.Globalization.CultureInfo.InvariantCulture)), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            lock (Reservations)
            {
                Reservations.Add(held);
            }
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    // Linux says its range in /proc; elsewhere, the IANA dynamic range.
    private static int EphemeralLow()
    {
        const string Range = "/proc/sys/net/ipv4/ip_local_port_range";
        var fields = File.Exists(Range) ? File.ReadAllText(Range).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries) : [];
        return fields is [var low, ..] && int.TryParse(low, System.Globalization.CultureInfo.InvariantCulture, out var port) ? port : 49_152;
    }
}
