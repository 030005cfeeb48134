namespace IWouldArgue.Http2;

/// <summary>What one connection may ask of the server; sent to the peer in SETTINGS where the protocol has a setting.</summary>
public sealed class Http2Limits
{
    /// <summary>Streams open at once per connection (SETTINGS_MAX_CONCURRENT_STREAMS); more are refused. Default 100, as Kestrel.</summary>
    public int MaxStreamsPerConnection { get; set; } = 100;

    /// <summary>Bytes of a request body buffered per stream before the peer must wait (SETTINGS_INITIAL_WINDOW_SIZE). Default 128 KiB.</summary>
    public int StreamWindowSize { get; set; } = 128 * 1024;

    /// <summary>Header fields per request, in HPACK's accounting (SETTINGS_MAX_HEADER_LIST_SIZE). Default 32 KiB, as Kestrel.</summary>
    public int MaxHeaderListSize { get; set; } = 32 * 1024;

    /// <summary>Bytes of responses waiting for the socket per connection above which writers wait. Default 1 MiB.</summary>
    public int MaxBufferedResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>Streams the peer may reset per rolling 10 s before the connection is closed (rapid-reset abuse). Default 1,000.</summary>
    public int MaxResetsPer10Seconds { get; set; } = 1_000;

    /// <summary>A connection with no open stream and no frame from the peer for this long is closed (GOAWAY). Default 130 s, as Kestrel.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>How long a new connection has to send its preface and settings. Default 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
