namespace DataHub.Core.Pseudonymisation;

/// <summary>The messages a batch of rows' tokens are made from, back to back in one reused buffer: each is a domain
/// label (<c>nhs|</c>, <c>local|{partner}|</c>, …) followed by a normalised value.</summary>
internal sealed class TokenMessages
{
    private byte[] _bytes = new byte[16 * 1024];
    private int[] _offsets = new int[1025];
    private int _pending;
    private int _written;

    /// <summary>Messages committed.</summary>
    public int Count { get; private set; }

    /// <summary>Every committed message, back to back.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, _offsets[Count]);

    /// <summary>Where each message starts, then where the last one ends (<see cref="Count"/> + 1 entries).</summary>
    public ReadOnlySpan<int> Offsets => _offsets.AsSpan(0, Count + 1);

    /// <summary>Starts a message with <paramref name="domain"/>; returns room for up to <paramref name="maxValueBytes"/> of value.</summary>
    public Span<byte> Start(ReadOnlySpan<byte> domain, int maxValueBytes)
    {
        var start = _offsets[Count];
        var needed = start + domain.Length + maxValueBytes;
        if (needed > _bytes.Length)
        {
            var larger = new byte[Math.Max(needed, _bytes.Length * 2)];
            _bytes.AsSpan(0, start).CopyTo(larger);
            _bytes.AsSpan(0, _written).Clear();
            _bytes = larger;
        }

        domain.CopyTo(_bytes.AsSpan(start));
        _pending = start + domain.Length;
        _written = Math.Max(_written, needed);
        return _bytes.AsSpan(_pending, maxValueBytes);
    }

    /// <summary>Ends the message started last, whose value took <paramref name="valueBytes"/>.</summary>
    public void Commit(int valueBytes)
    {
        if (Count + 2 > _offsets.Length)
        {
            Array.Resize(ref _offsets, _offsets.Length * 2);
        }

        _offsets[++Count] = _pending + valueBytes;
    }

    /// <summary>Forgets every message and zeroes the bytes they used (they are normalised identifiers).</summary>
    public void Clear()
    {
        _bytes.AsSpan(0, _written).Clear();
        _written = 0;
        Count = 0;
    }
}
