using IWouldArgue.Http2.Hpack;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace IWouldArgue.Http2;

/// <summary>Opening streams from header blocks, and closing them.</summary>
internal sealed partial class Http2Connection
{
    // Until the peer acknowledges our SETTINGS it may not know our limit, and HTTP/2 lets it assume none; clients
    // commonly assume 100 (SocketsHttpHandler, nghttp2). Streams up to that are served rather than refused.
    private int StreamLimit => _settingsAcknowledged ? Limits.MaxStreamsPerConnection : Math.Max(Limits.MaxStreamsPerConnection, AssumedStreamLimit);

    private void OnHeaderBlock(int streamId, bool endStream)
    {
        if (Find(streamId) is { } existing)
        {
            // Trailers: they must end the request. Decoded to keep the table in step; the RPC runtime reads none.
            Decode(streamId, static (_, _) => { });
            if (!endStream)
            {
                ResetStream(existing, Http2ErrorCode.ProtocolError);
                return;
            }
            existing.EndRequest();
            return;
        }
        _lastStreamId = streamId;
        var fields = new List<KeyValuePair<string, string>>();
        if (!Decode(streamId, (name, value) => fields.Add(new(name, value))))
        {
            return;
        }
        if (ParseHead(fields, out var error) is not { } head)
        {
            Http2Log.StreamRefused(_logger, Id, streamId, error!);
            ResetIdOnly(streamId, Http2ErrorCode.ProtocolError);
            return;
        }
        Http2Stream? stream = null;
        // Lock order everywhere: the output lock, then the streams.
        lock (_outLock)
        {
            lock (_streams)
            {
                if (!_goingAway && _streams.Count < StreamLimit)
                {
                    stream = new Http2Stream(this, streamId, head, endStream);
                    _streams.Add(streamId, stream);
                }
            }
        }
        if (stream is null)
        {
            Http2Log.StreamRefused(_logger, Id, streamId, _goingAway ? "the connection is going away" : "too many open streams");
            ResetIdOnly(streamId, Http2ErrorCode.RefusedStream);
            return;
        }
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Connection._run(s), stream, preferLocal: false);
    }

    // False when the stream was answered already (its header list was too large).
    private bool Decode(int streamId, Action<string, string> onHeader)
    {
        try
        {
            _decoder.Decode(_pendingBlock.WrittenSpan, onHeader);
            return true;
        }
        catch (HpackException ex)
        {
            throw new Http2ConnectionException(Http2ErrorCode.CompressionError, ex.Message);
        }
        catch (HeaderListTooLargeException ex)
        {
            Http2Log.StreamRefused(_logger, Id, streamId, ex.Message);
            WriteControl(output =>
            {
                _headerBlock.Clear();
                HpackEncoder.WriteStatus(_headerBlock, StatusCodes.Status431RequestHeaderFieldsTooLarge);
                WriteHeaderFrames(streamId, endStream: true);
            });
            return false;
        }
    }

    /// <summary>The request line from the pseudo-header fields, which must come first, once each (RFC 9113, 8.3.1).</summary>
    private static RequestHead? ParseHead(List<KeyValuePair<string, string>> fields, out string? error)
    {
        string? method = null, scheme = null, path = null, authority = null;
        var headers = new HeaderDictionary();
        var regular = false;
        foreach (var (name, value) in fields)
        {
            if (name.Length > 0 && name[0] == ':')
            {
                if (regular)
                {
                    error = "a pseudo-header after a regular one";
                    return null;
                }
                switch (name)
                {
                    case ":method" when method is null: method = value; break;
                    case ":scheme" when scheme is null: scheme = value; break;
                    case ":path" when path is null: path = value; break;
                    case ":authority" when authority is null: authority = value; break;
                    default:
                        error = $"pseudo-header '{name}' unknown or repeated";
                        return null;
                }
                continue;
            }
            regular = true;
            if (name.Any(char.IsAsciiLetterUpper) || Frames.ConnectionSpecificHeaders.Contains(name) || (name == "te" && value != "trailers"))
            {
                error = $"header '{name}' not allowed in HTTP/2";
                return null;
            }
            headers[name] = StringValues.Concat(headers[name], value);
        }
        if (method is null || scheme is null || string.IsNullOrEmpty(path) || method == "CONNECT")
        {
            error = "missing :method, :scheme or :path (or CONNECT, which is not served)";
            return null;
        }
        if (authority is not null && !headers.ContainsKey("host"))
        {
            headers["host"] = authority;
        }
        var query = path.IndexOf('?', StringComparison.Ordinal);
        error = null;
        return query < 0
            ? new RequestHead(method, scheme, authority ?? "", path, "", headers)
            : new RequestHead(method, scheme, authority ?? "", path[..query], path[query..], headers);
    }

    /// <summary>Both sides are done with a stream (or it was aborted): it no longer counts against the limit.</summary>
    private void OnStreamClosed(Http2Stream stream)
    {
        lock (_streams)
        {
            _streams.Remove(stream.Id);
            if (_goingAway && _streams.Count == 0)
            {
                _drained.TrySetResult();
            }
        }
    }
}
