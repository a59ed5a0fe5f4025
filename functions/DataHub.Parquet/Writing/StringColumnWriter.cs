using DataHub.Parquet.Format;

namespace DataHub.Parquet.Writing;

/// <summary>Buffers a BYTE_ARRAY (UTF-8 string) column, dictionary-encoded through a hash table on the UTF-8 bytes until it grows past the limit.</summary>
internal sealed class StringColumnWriter : ColumnWriter
{
    /// <summary>Longer bounds are left out of the statistics rather than bloating the footer.</summary>
    private const int MaxStatisticsLength = 1024;

    private readonly ByteBuffer _plainBytes = new(64 * 1024);
    private readonly PooledList<int> _plainOffsets = new();
    private readonly ByteBuffer _dictionaryBytes = new(64 * 1024);
    private readonly PooledList<int> _dictionaryOffsets = new();
    private readonly PooledList<int> _dictionaryHashes = new();
    private int[] _table = new int[1024];
    private bool _useDictionary;
    private bool _trialDone;
    private long _plainBytesSoFar;

    public StringColumnWriter(ParquetColumn column, ParquetWriterOptions options)
        : base(column, PhysicalType.ByteArray, options)
    {
        _useDictionary = options.UseDictionary;
        _dictionaryOffsets.Add(0);
    }

    protected override bool IsDictionary => _useDictionary;

    protected override int DictionaryCount => _dictionaryOffsets.Count - 1;

    public void Append(ReadOnlySpan<byte> utf8)
    {
        MarkDefined();
        if (!_useDictionary)
        {
            AppendPlain(utf8);
            return;
        }

        var hash = HashOf(utf8);
        var mask = _table.Length - 1;
        var bucket = hash & mask;
        while (true)
        {
            var entry = _table[bucket] - 1;
            if (entry < 0)
            {
                break;
            }

            if (_dictionaryHashes[entry] == hash && Entry(entry).SequenceEqual(utf8))
            {
                Indices.Add(entry);
                if (!_trialDone && TrialSaysPlain(utf8.Length))
                {
                    FallBackToPlain(null);
                }

                return;
            }

            bucket = (bucket + 1) & mask;
        }

        var index = DictionaryCount;
        _dictionaryBytes.Write(utf8);
        _dictionaryOffsets.Add(_dictionaryBytes.Length);
        _dictionaryHashes.Add(hash);
        _table[bucket] = index + 1;
        if ((long)_dictionaryBytes.Length + (4L * DictionaryCount) > Options.DictionaryBytesLimit)
        {
            FallBackToPlain(index);
            return;
        }

        Indices.Add(index);
        if (!_trialDone && TrialSaysPlain(utf8.Length))
        {
            FallBackToPlain(null);
            return;
        }

        if (DictionaryCount * 2 > _table.Length)
        {
            Rehash();
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _plainBytes.Dispose();
        _plainOffsets.Dispose();
        _dictionaryBytes.Dispose();
        _dictionaryOffsets.Dispose();
        _dictionaryHashes.Dispose();
    }

    protected override int PageValueEnd(int start)
    {
        var end = start;
        var startByte = _plainOffsets.Count > start ? _plainOffsets[start] : 0;
        var budget = Options.PageBytes;
        while (end < Values && (PlainEnd(end) - startByte) + (4L * (end - start)) < budget)
        {
            end++;
        }

        return Math.Max(end, Math.Min(Values, start + 1));
    }

    protected override void WritePlain(int start, int end, ByteBuffer output)
    {
        for (var i = start; i < end; i++)
        {
            var from = _plainOffsets[i];
            var value = _plainBytes.Span[from..PlainEnd(i)];
            output.WriteInt32(value.Length);
            output.Write(value);
        }
    }

    protected override void WriteDictionary(ByteBuffer output)
    {
        for (var i = 0; i < DictionaryCount; i++)
        {
            var value = Entry(i);
            output.WriteInt32(value.Length);
            output.Write(value);
        }
    }

    protected override StatisticsData ComputeStatistics()
    {
        var stats = new StatisticsData();
        var count = _useDictionary ? DictionaryCount : Values;
        if (count == 0)
        {
            return stats;
        }

        ReadOnlySpan<byte> min = Value(0);
        ReadOnlySpan<byte> max = min;
        for (var i = 1; i < count; i++)
        {
            var value = Value(i);
            if (value.SequenceCompareTo(min) < 0)
            {
                min = value;
            }
            else if (value.SequenceCompareTo(max) > 0)
            {
                max = value;
            }
        }

        if (min.Length <= MaxStatisticsLength && max.Length <= MaxStatisticsLength)
        {
            stats.MinValue = min.ToArray();
            stats.MaxValue = max.ToArray();
        }

        return stats;
    }

    protected override void ClearValues()
    {
        _plainBytes.Clear();
        _plainOffsets.Clear();
        _dictionaryBytes.Clear();
        _dictionaryOffsets.Clear();
        _dictionaryOffsets.Add(0);
        _dictionaryHashes.Clear();
        Array.Clear(_table);
    }

    private static int HashOf(ReadOnlySpan<byte> utf8)
    {
        var hash = default(HashCode);
        hash.AddBytes(utf8);
        return hash.ToHashCode() & int.MaxValue;
    }

    private ReadOnlySpan<byte> Value(int i) => _useDictionary ? Entry(i) : _plainBytes.Span[_plainOffsets[i]..PlainEnd(i)];

    private ReadOnlySpan<byte> Entry(int i) => _dictionaryBytes.Span[_dictionaryOffsets[i].._dictionaryOffsets[i + 1]];

    private int PlainEnd(int i) => i + 1 < _plainOffsets.Count ? _plainOffsets[i + 1] : _plainBytes.Length;

    private void AppendPlain(ReadOnlySpan<byte> utf8)
    {
        _plainOffsets.Add(_plainBytes.Length);
        _plainBytes.Write(utf8);
    }

    /// <summary>Counts the value toward the once-per-file trial; true when the trial has just found the dictionary not worth it.</summary>
    private bool TrialSaysPlain(int length)
    {
        _plainBytesSoFar += length + 4;
        if (Values < DictionaryTrialValues)
        {
            return false;
        }

        _trialDone = true;
        return DictionaryDoesNotPay(_dictionaryBytes.Length + (4L * DictionaryCount), _plainBytesSoFar);
    }

    private void FallBackToPlain(int? newest)
    {
        foreach (var index in Indices.Span)
        {
            AppendPlain(Entry(index));
        }

        if (newest is { } last)
        {
            AppendPlain(Entry(last));
        }

        Indices.Clear();
        _dictionaryBytes.Clear();
        _dictionaryOffsets.Clear();
        _dictionaryOffsets.Add(0);
        _dictionaryHashes.Clear();
        _table = new int[16];

        // Stays PLAIN for the rest of the file: a column that outgrew one dictionary will outgrow the next.
        _useDictionary = false;
    }

    private void Rehash()
    {
        var table = new int[_table.Length * 2];
        var mask = table.Length - 1;
        for (var i = 0; i < DictionaryCount; i++)
        {
            var bucket = _dictionaryHashes[i] & mask;
            while (table[bucket] != 0)
            {
                bucket = (bucket + 1) & mask;
            }

            table[bucket] = i + 1;
        }

        _table = table;
    }
}
