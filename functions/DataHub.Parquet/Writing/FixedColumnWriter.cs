using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataHub.Parquet.Format;

namespace DataHub.Parquet.Writing;

/// <summary>Buffers a fixed-width column (INT32, INT64, DOUBLE), dictionary-encoded until the dictionary grows past the limit.</summary>
internal abstract class FixedColumnWriter<T> : ColumnWriter
    where T : unmanaged, IEquatable<T>
{
    private readonly PooledList<T> _plain = new();
    private readonly PooledList<T> _dictionaryValues = new();
    private readonly Dictionary<T, int> _dictionary;
    private bool _useDictionary;
    private bool _trialDone;

    protected FixedColumnWriter(ParquetColumn column, PhysicalType physical, ParquetWriterOptions options, IEqualityComparer<T>? comparer)
        : base(column, physical, options)
    {
        _dictionary = new Dictionary<T, int>(comparer);
        _useDictionary = options.UseDictionary;
    }

    protected override bool IsDictionary => _useDictionary;

    protected override int DictionaryCount => _dictionaryValues.Count;

    private static int Width => Unsafe.SizeOf<T>();

    public void Append(T value)
    {
        MarkDefined();
        if (!_useDictionary)
        {
            _plain.Add(value);
            return;
        }

        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_dictionary, value, out var exists);
        if (!exists)
        {
            slot = _dictionaryValues.Count;
            _dictionaryValues.Add(value);
            if ((long)_dictionaryValues.Count * Width > Options.DictionaryBytesLimit)
            {
                FallBackToPlain();
                return;
            }
        }

        Indices.Add(slot);
        if (!_trialDone && Values >= DictionaryTrialValues)
        {
            _trialDone = true;
            if (DictionaryDoesNotPay((long)_dictionaryValues.Count * Width, (long)Values * Width))
            {
                FallBackToPlain(newestIndexed: true);
            }
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        _plain.Dispose();
        _dictionaryValues.Dispose();
    }

    protected override int PageValueEnd(int start) => (int)Math.Min(Values, start + Math.Max(1L, Options.PageBytes / Width));

    protected override void WritePlain(int start, int end, ByteBuffer output) =>
        output.Write(MemoryMarshal.AsBytes(_plain.Span[start..end]));

    protected override void WriteDictionary(ByteBuffer output) => output.Write(MemoryMarshal.AsBytes(_dictionaryValues.Span));

    protected override StatisticsData ComputeStatistics()
    {
        var values = _useDictionary ? _dictionaryValues.Span : _plain.Span;
        var stats = new StatisticsData();
        if (TryMinMax(values, out var min, out var max))
        {
            stats.MinValue = ToBytes(min);
            stats.MaxValue = ToBytes(max);
        }

        return stats;
    }

    /// <summary>The column's minimum and maximum in the spec's order; false when no value qualifies.</summary>
    protected abstract bool TryMinMax(ReadOnlySpan<T> values, out T min, out T max);

    protected override void ClearValues()
    {
        _plain.Clear();
        _dictionaryValues.Clear();
        _dictionary.Clear();
    }

    /// <summary>Signed integers order as numbers, which is the spec's order for INT32, INT64, DATE and TIMESTAMP.</summary>
    protected static bool SignedMinMax<TNumber>(ReadOnlySpan<TNumber> values, out TNumber min, out TNumber max)
        where TNumber : System.Numerics.INumber<TNumber>, System.Numerics.IMinMaxValue<TNumber>
    {
        min = TNumber.MaxValue;
        max = TNumber.MinValue;
        foreach (var v in values)
        {
            min = TNumber.Min(min, v);
            max = TNumber.Max(max, v);
        }

        return !values.IsEmpty;
    }

    private static byte[] ToBytes(T value) => MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in value)).ToArray();

    /// <param name="newestIndexed">False when the value just added (the newest dictionary entry) has no index yet.</param>
    private void FallBackToPlain(bool newestIndexed = false)
    {
        var dictionary = _dictionaryValues.Span;
        foreach (var index in Indices.Span)
        {
            _plain.Add(dictionary[index]);
        }

        if (!newestIndexed)
        {
            _plain.Add(dictionary[^1]);
        }

        Indices.Clear();
        _dictionaryValues.Clear();
        _dictionary.Clear();
        _dictionary.TrimExcess();

        // Stays PLAIN for the rest of the file: a column that outgrew one dictionary will outgrow the next.
        _useDictionary = false;
    }
}

/// <summary>INT32 and DATE columns.</summary>
internal sealed class Int32ColumnWriter(ParquetColumn column, ParquetWriterOptions options)
    : FixedColumnWriter<int>(column, PhysicalType.Int32, options, null)
{
    protected override bool TryMinMax(ReadOnlySpan<int> values, out int min, out int max) => SignedMinMax(values, out min, out max);
}

/// <summary>INT64 and TIMESTAMP columns.</summary>
internal sealed class Int64ColumnWriter(ParquetColumn column, ParquetWriterOptions options)
    : FixedColumnWriter<long>(column, PhysicalType.Int64, options, null)
{
    protected override bool TryMinMax(ReadOnlySpan<long> values, out long min, out long max) => SignedMinMax(values, out min, out max);
}

/// <summary>DOUBLE columns: the dictionary compares bit patterns so NaN and -0.0 keep their identity.</summary>
internal sealed class DoubleColumnWriter(ParquetColumn column, ParquetWriterOptions options)
    : FixedColumnWriter<double>(column, PhysicalType.Double, options, BitwiseDoubleComparer.Instance)
{
    protected override bool TryMinMax(ReadOnlySpan<double> values, out double min, out double max)
    {
        // The spec: NaN never goes into statistics; a zero minimum is written -0.0 and a zero maximum +0.0.
        min = double.PositiveInfinity;
        max = double.NegativeInfinity;
        var any = false;
        foreach (var v in values)
        {
            if (double.IsNaN(v))
            {
                continue;
            }

            any = true;
            if (v < min)
            {
                min = v;
            }

            if (v > max)
            {
                max = v;
            }
        }

        if (!any)
        {
            return false;
        }

        if (min == 0)
        {
            min = -0.0;
        }

        if (max == 0)
        {
            max = 0.0;
        }

        return true;
    }

    private sealed class BitwiseDoubleComparer : IEqualityComparer<double>
    {
        public static readonly BitwiseDoubleComparer Instance = new();

        public bool Equals(double x, double y) => BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y);

        public int GetHashCode(double obj) => BitConverter.DoubleToInt64Bits(obj).GetHashCode();
    }
}

/// <summary>BOOLEAN columns: always PLAIN (bit-packed), as dictionaries cannot beat one bit a value.</summary>
internal sealed class BooleanColumnWriter(ParquetColumn column, ParquetWriterOptions options)
    : ColumnWriter(column, PhysicalType.Boolean, options)
{
    private readonly PooledList<byte> _values = new();

    protected override bool IsDictionary => false;

    protected override int DictionaryCount => 0;

    public void Append(bool value)
    {
        MarkDefined();
        _values.Add(value ? (byte)1 : (byte)0);
    }

    public override void Dispose()
    {
        base.Dispose();
        _values.Dispose();
    }

    protected override int PageValueEnd(int start) => (int)Math.Min(Values, start + (Options.PageBytes * 8L));

    protected override void WritePlain(int start, int end, ByteBuffer output)
    {
        var values = _values.Span[start..end];
        var span = output.GetSpan((values.Length + 7) / 8);
        span.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            span[i >> 3] |= (byte)(values[i] << (i & 7));
        }

        output.Advance(span.Length);
    }

    protected override void WriteDictionary(ByteBuffer output) => throw new InvalidOperationException("Boolean columns have no dictionary.");

    protected override StatisticsData ComputeStatistics()
    {
        var values = _values.Span;
        var stats = new StatisticsData();
        if (!values.IsEmpty)
        {
            var anyFalse = values.Contains((byte)0);
            var anyTrue = values.Contains((byte)1);
            stats.MinValue = [anyFalse ? (byte)0 : (byte)1];
            stats.MaxValue = [anyTrue ? (byte)1 : (byte)0];
        }

        return stats;
    }

    protected override void ClearValues() => _values.Clear();
}
