using IWouldArgue.Auth;
using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using IWouldArgue.Testing;
using System.Text;
using Google.Protobuf;
using IWouldArgue.Contracts.V1;
using IWouldArgue.Discussions;
using Grpc.Core;

namespace IWouldArgue.Live.Tests;

/// <summary>
/// A Watch stream read in the background, over gRPC (HTTP/2, our generated client) or gRPC-Web (HTTP/1.1,
/// framed by hand as a browser library does). Records every frame and the sequence of every event.
/// </summary>
public sealed class WatchSession : IAsyncDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<WatchResponse> _frames = [];
    private readonly List<ulong> _seqs = [];
    private readonly TaskCompletionSource _paused = new();
    private Task _reading = Task.CompletedTask;

    private WatchSession(bool startPaused)
    {
        if (!startPaused)
        {
            _paused.SetResult();
        }
    }

    /// <summary>How the stream ended: its status code, once it has.</summary>
    public StatusCode? FinalStatus { get; private set; }

    public string? FinalMessage { get; private set; }

    public IReadOnlyList<WatchResponse> Frames
    {
        get
        {
            lock (_frames)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Event sequence numbers in the order received.</summary>
    public IReadOnlyList<ulong> Seqs
    {
        get
        {
            lock (_frames)
            {
                return [.. _seqs];
            }
        }
    }

    public ulong LastSeq
    {
        get
        {
            lock (_frames)
            {
                return _seqs.Count == 0 ? _frames.FirstOrDefault(f => f.Snapshot is not null)?.Snapshot.Seq ?? 0 : _seqs[^1];
            }
        }
    }

    public Task Completion => _reading;

    /// <summary>Watches over HTTP/2 with the generated client. <paramref name="startPaused"/>: read the first frame only, until <see cref="Resume"/>.</summary>
    public static WatchSession OverGrpc(LiveTestHost host, string discussionId, string user, ulong resumeAfter = 0, bool startPaused = false)
    {
        var session = new WatchSession(startPaused);
        session._reading = Task.Run(() => session.ReadGrpcAsync(host, new WatchRequest { DiscussionId = discussionId, ResumeAfterSeq = resumeAfter }, user));
        return session;
    }

    /// <summary>Watches over gRPC-Web on HTTP/1.1: binary, or base64 text (<paramref name="text"/>) as some browser clients use.</summary>
    public static WatchSession OverGrpcWeb(LiveTestHost host, string discussionId, string user, ulong resumeAfter = 0, bool text = false)
    {
        var session = new WatchSession(false);
        session._reading = Task.Run(() => session.ReadGrpcWebAsync(host, new WatchRequest { DiscussionId = discussionId, ResumeAfterSeq = resumeAfter }, user, text));
        return session;
    }

    /// <summary>Lets a paused session read on.</summary>
    public void Resume() => _paused.TrySetResult();

    /// <summary>Waits until <paramref name="condition"/> holds for this session.</summary>
    public async Task WaitUntilAsync(Func<WatchSession, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition(this))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Condition not met; {Seqs.Count} events received, last seq {LastSeq}, status {FinalStatus}: {FinalMessage}.");
            }
            if (_reading.IsFaulted)
            {
                await _reading;
            }
            await Task.Delay(20);
        }
    }

    public Task WaitForSeqAsync(ulong seq, TimeSpan? timeout = null) => WaitUntilAsync(s => s.LastSeq >= seq, timeout);

    public Task WaitForEndAsync(TimeSpan? timeout = null) => WaitUntilAsync(s => s.FinalStatus is not null, timeout);

    /// <summary>Disconnects (the client goes away mid-stream).</summary>
    public async Task DisconnectAsync()
    {
        await _cancel.CancelAsync();
        try
        {
            await _reading;
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _paused.TrySetResult();
        await DisconnectAsync();
        _cancel.Dispose();
    }

    private void Record(WatchResponse frame)
    {
        lock (_frames)
        {
            _frames.Add(frame);
            if (frame.Events is not null)
            {
                _seqs.AddRange(frame.Events.Events.Select(e => e.Seq));
            }
        }
    }

    private async Task ReadGrpcAsync(LiveTestHost host, WatchRequest request, string user)
    {
        using var call = host.Live.Watch(request, LiveTestHost.As(user, _cancel.Token));
        try
        {
            var first = true;
            while (await call.ResponseStream.MoveNext(_cancel.Token))
            {
                Record(call.ResponseStream.Current);
                if (first)
                {
                    first = false;
                    await _paused.Task.WaitAsync(_cancel.Token);
                }
            }
            FinalStatus = StatusCode.OK;
        }
        catch (RpcException ex)
        {
            FinalStatus = ex.StatusCode;
            FinalMessage = ex.Status.Detail;
        }
        catch (OperationCanceledException)
        {
            FinalStatus = StatusCode.Cancelled;
        }
    }

    private async Task ReadGrpcWebAsync(LiveTestHost host, WatchRequest request, string user, bool text)
    {
        using var http = new HttpClient();
        var payload = request.ToByteArray();
        var body = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(body, 5);
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(host.WebAddress, "/iwouldargue.v1.LiveService/Watch"))
        {
            Version = HttpVersion.Version11,
            Content = text ? new StringContent(Convert.ToBase64String(body)) : new ByteArrayContent(body),
        };
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(text ? "application/grpc-web-text" : "application/grpc-web+proto");
        message.Headers.Add("x-grpc-web", "1");
        // grpc-dotnet answers in the format the caller accepts (binary without an Accept header), as browser clients ask.
        message.Headers.Add("accept", text ? "application/grpc-web-text" : "application/grpc-web");
        message.Headers.Add(CallerResolver.UserIdHeader, user);
        try
        {
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, _cancel.Token);
            if (response.Headers.TryGetValues("grpc-status", out var headerStatus))
            {
                FinalStatus = (StatusCode)int.Parse(headerStatus.Single(), System.Globalization.CultureInfo.InvariantCulture);
                FinalMessage = response.Headers.TryGetValues("grpc-message", out var m) ? Uri.UnescapeDataString(m.Single()) : null;
                return;
            }
            await using var raw = await response.Content.ReadAsStreamAsync(_cancel.Token);
            await using var stream = text ? new GrpcWebTextStream(raw) : raw;
            var header = new byte[5];
            while (true)
            {
                await stream.ReadExactlyAsync(header, _cancel.Token);
                var frame = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1))];
                await stream.ReadExactlyAsync(frame, _cancel.Token);
                if ((header[0] & 0x80) != 0)
                {
                    var trailers = Encoding.ASCII.GetString(frame).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
                        .Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
                    FinalMessage = trailers.TryGetValue("grpc-message", out var m) ? Uri.UnescapeDataString(m) : null;
                    FinalStatus = (StatusCode)int.Parse(trailers["grpc-status"], System.Globalization.CultureInfo.InvariantCulture);
                    return;
                }
                Record(WatchResponse.Parser.ParseFrom(frame));
            }
        }
        catch (OperationCanceledException)
        {
            FinalStatus = StatusCode.Cancelled;
        }
    }
}
