using Grpc.Net.Client;
using System.Diagnostics;
using IWouldArgue.Contracts.V1;
using Grpc.Core;

namespace IWouldArgue.Benchmarks;

/// <summary>Server-streaming throughput as one client sees it: 200-byte messages per second.</summary>
internal static class StreamThroughput
{
    private const int MessagesPerCall = 1000;

    public static async Task<int> RunAsync(string address, int calls)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var client = new DiagnosticsService.DiagnosticsServiceClient(channel);
        // A 200-byte message on the wire: 182 characters of text + index + sent_at encode to 200 bytes.
        var request = new EchoStreamRequest { Repeat = MessagesPerCall, Message = new string('m', 182) };

        await ReadAsync(client, request);
        var stopwatch = Stopwatch.StartNew();
        long messages = 0;
        for (var i = 0; i < calls; i++)
        {
            messages += await ReadAsync(client, request);
        }
        stopwatch.Stop();

        Console.WriteLine($"messages={messages} seconds={stopwatch.Elapsed.TotalSeconds:F3} messages_per_second={messages / stopwatch.Elapsed.TotalSeconds:F0}");
        return 0;
    }

    private static async Task<long> ReadAsync(DiagnosticsService.DiagnosticsServiceClient client, EchoStreamRequest request)
    {
        using var call = client.EchoStream(request);
        long count = 0;
        while (await call.ResponseStream.MoveNext())
        {
            count++;
        }
        return count;
    }
}
