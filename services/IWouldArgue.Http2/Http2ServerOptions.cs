namespace IWouldArgue.Http2;

/// <summary>The "Http2Server" section: where the server listens and its limits.</summary>
public sealed class Http2ServerOptions
{
    /// <summary>The section name in configuration.</summary>
    public const string SectionName = "Http2Server";

    /// <summary>
    /// Endpoints served by this server instead of Kestrel, as <c>http://host:port</c> (cleartext HTTP/2 with prior
    /// knowledge only: gRPC clients and mesh sidecars, not browsers). Empty (the default): the server is off.
    /// </summary>
    public List<string> Urls { get; } = [];

    /// <summary>Per-connection limits.</summary>
    public Http2Limits Limits { get; set; } = new();
}
