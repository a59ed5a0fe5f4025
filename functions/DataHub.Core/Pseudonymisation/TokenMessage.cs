using DataHub.Core.Hub;

namespace DataHub.Core.Pseudonymisation;

/// <summary>The message one token is made from, in a buffer reused token after token: a domain label (<c>nhs|</c>,
/// <c>local|{partner}|</c>, …) followed by a normalised value.</summary>
internal sealed class TokenMessage
{
    private byte[] _bytes = new byte[256];

    // The domain's length (First) and the message's (Second), written for every token by the keying worker: padded off the
    // line of the row planner's fields (allocated beside this), which the reading worker reads for every row.
    private WorkerCounters _lengths;

    /// <summary>The message committed last.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes.AsSpan(0, (int)_lengths.Second);

    /// <summary>Starts a message with <paramref name="domain"/>; returns room for up to <paramref name="maxValueBytes"/> of value.</summary>
    public Span<byte> Start(ReadOnlySpan<byte> domain, int maxValueBytes)
    {
        Clear();
        var needed = domain.Length + maxValueBytes;
        if (needed > _bytes.Length)
        {
            _bytes = new byte[Math.Max(needed, _bytes.Length * 2)];
        }

        domain.CopyTo(_bytes);
        _lengths.First = domain.Length;
        return _bytes.AsSpan((int)_lengths.First, maxValueBytes);
    }

    /// <summary>Ends the message started last, whose value took <paramref name="valueBytes"/>.</summary>
    public void Commit(int valueBytes) => _lengths.Second = _lengths.First + valueBytes;

    /// <summary>Zeroes the buffer: it held a normalised identifier.</summary>
    public void Clear()
    {
        _bytes.AsSpan().Clear();
        _lengths.Second = 0;
    }
}
