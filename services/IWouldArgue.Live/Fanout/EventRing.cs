using IWouldArgue.Contracts.V1;

namespace IWouldArgue.Live.Fanout;

/// <summary>The most recent events of one discussion, contiguous by sequence, oldest dropped first.</summary>
internal sealed class EventRing(int capacity)
{
    private readonly DiscussionEvent[] _items = new DiscussionEvent[Math.Max(1, capacity)];
    private int _start;
    private int _count;

    /// <summary>Adds the event that follows the newest one.</summary>
    public void Add(DiscussionEvent e)
    {
        if (_count == _items.Length)
        {
            _items[_start] = e;
            _start = (_start + 1) % _items.Length;
        }
        else
        {
            _items[(_start + _count) % _items.Length] = e;
            _count++;
        }
    }

    /// <summary>The events after <paramref name="afterSeq"/> when the ring still holds all of them; null when some are gone.</summary>
    public List<DiscussionEvent>? After(ulong afterSeq)
    {
        if (_count == 0 || _items[_start].Seq > afterSeq + 1)
        {
            return null;
        }
        var result = new List<DiscussionEvent>();
        for (var i = 0; i < _count; i++)
        {
            var e = _items[(_start + i) % _items.Length];
            if (e.Seq > afterSeq)
            {
                result.Add(e);
            }
        }
        return result;
    }
}
