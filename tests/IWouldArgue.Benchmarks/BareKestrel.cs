using Google.Protobuf;
using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Benchmarks;

/// <summary>
/// The reference: Kestrel endpoints at the same paths that write precomputed gRPC bytes and a
/// grpc-status trailer, with no parsing, no framing logic and no dispatch. What a gRPC server adds on top
/// of Kestrel is the difference between the two.
/// </summary>
internal static class BareKestrel
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = SlimHost.Create(port);
        var app = builder.Build();

        var echo = Frame(new EchoResponse { Message = "hello" });
        app.MapPost("/iwouldargue.v1.DiagnosticsService/Echo", async context =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.ContentType = "application/grpc";
            await context.Response.Body.WriteAsync(echo);
            context.Response.AppendTrailer("grpc-status", "0");
        });

        app.MapPost("/iwouldargue.v1.DiagnosticsService/EchoStream", async context =>
        {
            var request = EchoStreamRequest.Parser.ParseFrom((await ReadAll(context.Request.Body)).AsSpan(5));
            context.Response.ContentType = "application/grpc";
            var message = Frame(new EchoStreamResponse { Message = request.Message, Index = 1, SentAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) });
            for (var i = 0; i < request.Repeat; i++)
            {
                await context.Response.Body.WriteAsync(message);
                await context.Response.Body.FlushAsync();
            }
            context.Response.AppendTrailer("grpc-status", "0");
        });

        await app.RunAsync();
        return 0;
    }

    internal static byte[] Frame(IMessage message)
    {
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    internal static async Task<byte[]> ReadAll(Stream body)
    {
        using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}
