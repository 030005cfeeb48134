using System.Collections;

namespace IWouldArgue.Rpc;

/// <summary>
/// Call headers or trailers: ordered key/value pairs. Keys are lowercase; keys ending in <c>-bin</c>
/// carry bytes (base64 on the wire), all others carry printable ASCII text.
/// </summary>
public sealed class Metadata : IEnumerable<Metadata.Entry>
{
    /// <summary>The suffix that marks binary keys.</summary>
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    /// <summary>How many entries there are.</summary>
    public int Count => _entries.Count;

    /// <summary>Adds a text entry.</summary>
    public void Add(string key, string value) => _entries.Add(Entry.Text(key, value));

    /// <summary>Adds a binary entry; the key must end with <c>-bin</c>.</summary>
    public void Add(string key, byte[] value) => _entries.Add(Entry.Binary(key, value));

    /// <summary>Adds an entry as it is.</summary>
    public void Add(Entry entry) => _entries.Add(entry);

    /// <summary>The first entry with this key, or null.</summary>
    public Entry? Get(string key)
    {
        var normalized = key.ToLowerInvariant();
        return _entries.Find(e => e.Key == normalized);
    }

    /// <summary>The text of the first entry with this key, or null.</summary>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The bytes of the first binary entry with this key, or null.</summary>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <inheritdoc/>
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>True when the key names binary metadata.</summary>
    public static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>One metadata entry.</summary>
    public sealed class Entry
    {
        private readonly string? _text;
        private readonly byte[]? _bytes;

        private Entry(string key, string? text, byte[]? bytes)
        {
            Key = key;
            _text = text;
            _bytes = bytes;
        }

        /// <summary>The lowercase key.</summary>
        public string Key { get; }

        /// <summary>True for a <c>-bin</c> entry.</summary>
        public bool IsBinary => _bytes is not null;

        /// <summary>The text value; for binary entries, their base64 form.</summary>
        public string Value => _text ?? Convert.ToBase64String(_bytes!);

        /// <summary>The binary value; for text entries, their ASCII bytes.</summary>
        public byte[] ValueBytes => _bytes ?? System.Text.Encoding.ASCII.GetBytes(_text!);

        // Without the checks applications get: for the protocol's own grpc-* headers, which applications may
        // not set, and for what a peer sent, kept as sent since refusing it would fail the call over a header.
        internal static Entry Unchecked(string key, string value) => new(key, value, null);

        internal static Entry Unchecked(string key, byte[] value) => new(key, null, value);

        internal static Entry Text(string key, string value)
        {
            var k = ValidKey(key);
            if (IsBinaryKey(k))
            {
                throw new ArgumentException($"Key '{k}' ends with -bin and needs a byte[] value.", nameof(key));
            }
            foreach (var c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException($"The value of '{k}' must be printable ASCII.", nameof(value));
                }
            }
            return new Entry(k, value, null);
        }

        internal static Entry Binary(string key, byte[] value)
        {
            var k = ValidKey(key);
            return IsBinaryKey(k)
                ? new Entry(k, null, value)
                : throw new ArgumentException($"Key '{k}' needs the -bin suffix to carry bytes.", nameof(key));
        }

        private static string ValidKey(string key)
        {
            var k = key.ToLowerInvariant();
            // grpc-* keys belong to the protocol; applications may set only the rich status details.
            if (k.Length == 0 || (k.StartsWith("grpc-", StringComparison.Ordinal) && k != "grpc-status-details-bin"))
            {
                throw new ArgumentException($"'{key}' is not a key applications may set.", nameof(key));
            }
            foreach (var c in k)
            {
                if (!(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'))
                {
                    throw new ArgumentException($"Metadata key '{key}' may only hold a-z, 0-9, '-', '_' and '.'.", nameof(key));
                }
            }
            return k;
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Key}: {Value}";
    }
}
