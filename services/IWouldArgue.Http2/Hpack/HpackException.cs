namespace IWouldArgue.Http2.Hpack;

/// <summary>A header block that cannot be decoded: a COMPRESSION_ERROR for the whole connection.</summary>
internal sealed class HpackException(string message) : Exception(message);
