using System.Text;

namespace IWouldArgue.Http2.Hpack;

/// <summary>
/// Decodes header blocks (RFC 7541) for one connection: the dynamic table lives as long as the connection,
/// so every block must be decoded in order, even of streams that are then refused.
/// </summary>
internal sealed class HpackDecoder
{
    // Per RFC 7541 4.1, an entry's size is its name and value lengths plus 32.
    private const int EntryOverhead = 32;
    private readonly LinkedList<(string Name, string Value)> _dynamic = new();
    private int _tableSize;
    private readonly int _maxTableSize;
    private readonly int _maxHeaderListSize;
    private int _tableLimit;

    public HpackDecoder(int maxTableSize, int maxHeaderListSize)
    {
        _maxTableSize = maxTableSize;
        _maxHeaderListSize = maxHeaderListSize;
        _tableLimit = maxTableSize;
    }

    /// <summary>
    /// Decodes a complete block, calling <paramref name="onHeader"/> for each field in order. A list over the size
    /// limit is decoded to its end all the same (the table must stay in step) and then refused.
    /// </summary>
    public void Decode(ReadOnlySpan<byte> block, Action<string, string> onHeader)
    {
        var listSize = 0;
        var first = true;
        while (!block.IsEmpty)
        {
            var octet = block[0];
            string name;
            string value;
            if ((octet & 0x80) != 0)
            {
                (name, value) = Entry(ReadInteger(ref block, 7));
            }
            else if ((octet & 0xC0) == 0x40)
            {
                (name, value) = ReadLiteral(ref block, 6);
                Add(name, value);
            }
            else if ((octet & 0xE0) == 0x20)
            {
                // A table size update may only open a block (RFC 7541 4.2).
                if (!first)
                {
                    throw new HpackException("A dynamic table size update after the first header field.");
                }
                var size = ReadInteger(ref block, 5);
                if (size > _maxTableSize)
                {
                    throw new HpackException($"A dynamic table size of {size} exceeds the {_maxTableSize} allowed.");
                }
                _tableLimit = size;
                Evict(0);
                continue;
            }
            else
            {
                // Literal without indexing (0000) or never indexed (0001): 4-bit prefix.
                (name, value) = ReadLiteral(ref block, 4);
            }
            first = false;
            listSize += name.Length + value.Length + EntryOverhead;
            if (listSize <= _maxHeaderListSize)
            {
                onHeader(name, value);
            }
        }
        if (listSize > _maxHeaderListSize)
        {
            throw new HeaderListTooLargeException(_maxHeaderListSize);
        }
    }

    private (string Name, string Value) ReadLiteral(ref ReadOnlySpan<byte> block, int prefixBits)
    {
        var index = ReadInteger(ref block, prefixBits);
        var name = index == 0 ? ReadString(ref block) : Entry(index).Name;
        return (name, ReadString(ref block));
    }

    private (string Name, string Value) Entry(int index)
    {
        if (index <= 0)
        {
            throw new HpackException("Header index 0.");
        }
        if (index <= StaticTable.Count)
        {
            return StaticTable.Entries[index - 1];
        }
        var position = index - StaticTable.Count - 1;
        if (position >= _dynamic.Count)
        {
            throw new HpackException($"Header index {index} is beyond the table.");
        }
        // Newest first: position 0 is the most recently added entry.
        var node = _dynamic.First!;
        for (var i = 0; i < position; i++)
        {
            node = node.Next!;
        }
        return node.Value;
    }

    private void Add(string name, string value)
    {
        var size = name.Length + value.Length + EntryOverhead;
        Evict(size);
        if (size <= _tableLimit)
        {
            _dynamic.AddFirst((name, value));
            _tableSize += size;
        }
    }

    private void Evict(int room)
    {
        while (_dynamic.Count > 0 && _tableSize + room > _tableLimit)
        {
            var last = _dynamic.Last!.Value;
            _tableSize -= last.Name.Length + last.Value.Length + EntryOverhead;
            _dynamic.RemoveLast();
        }
    }

    private string ReadString(ref ReadOnlySpan<byte> block)
    {
        if (block.IsEmpty)
        {
            throw new HpackException("A string literal is missing.");
        }
        var huffman = (block[0] & 0x80) != 0;
        var length = ReadInteger(ref block, 7);
        if (length > block.Length)
        {
            throw new HpackException("A string literal runs past the block.");
        }
        var raw = block[..length];
        block = block[length..];
        if (!huffman)
        {
            return Encoding.Latin1.GetString(raw);
        }
        // Every Huffman code is at least 5 bits, so the decoded string is at most 8/5 of the encoded one.
        Span<byte> decoded = length <= 256 ? stackalloc byte[length * 8 / 5 + 1] : new byte[length * 8 / 5 + 1];
        if (!HuffmanCode.TryDecode(raw, decoded, out var written))
        {
            throw new HpackException("A Huffman-coded string is malformed.");
        }
        return Encoding.Latin1.GetString(decoded[..written]);
    }

    private static int ReadInteger(ref ReadOnlySpan<byte> block, int prefixBits)
    {
        if (block.IsEmpty)
        {
            throw new HpackException("An integer is missing.");
        }
        var max = (1 << prefixBits) - 1;
        var value = block[0] & max;
        block = block[1..];
        if (value < max)
        {
            return value;
        }
        var shift = 0;
        while (true)
        {
            if (block.IsEmpty)
            {
                throw new HpackException("An integer runs past the block.");
            }
            var next = block[0];
            block = block[1..];
            if (shift > 21)
            {
                throw new HpackException("An integer is too large.");
            }
            value += (next & 0x7F) << shift;
            shift += 7;
            if ((next & 0x80) == 0)
            {
                return value;
            }
        }
    }
}

/// <summary>A header list larger than SETTINGS_MAX_HEADER_LIST_SIZE: the stream is refused, the connection lives on.</summary>
internal sealed class HeaderListTooLargeException(int limit) : Exception($"The header list exceeds {limit} bytes.");
