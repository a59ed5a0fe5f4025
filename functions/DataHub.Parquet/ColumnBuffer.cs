using System.Buffers;
using System.Text;
using Parquet;
using Parquet.Schema;

namespace DataHub.Parquet;

/// <summary>One column's values for the row group being built, held as the arrays Parquet.Net's row-group writer takes.</summary>
/// <remarks>Non-null values are packed at the front of the values array; a nullable column also keeps one definition level
/// per row (1 present, 0 null). Arrays come from the shared pool, double as they fill (so a batch's many open files hold
/// little unused room), and go back to the pool after each row group.</remarks>
internal abstract class ColumnBuffer(DataField field, bool nullable)
{
    private const int MinRows = 1024;
    private int[] _levels = [];

    /// <summary>The library's field the values are written as.</summary>
    public DataField Field { get; } = field;

    /// <summary>Rows buffered.</summary>
    public int Rows { get; private set; }

    /// <summary>Bytes of memory one row costs beyond any string characters: the value slot and its definition level.</summary>
    public abstract int RowBytes { get; }

    /// <summary>Whether the column accepts nulls.</summary>
    protected bool Nullable { get; } = nullable;

    /// <summary>Rows the arrays hold before they must grow.</summary>
    protected int Capacity { get; private set; }

    /// <summary>Ends the current row with a null.</summary>
    public void AddNull()
    {
        EnsureRoom();
        if (Nullable)
        {
            _levels[Rows] = 0;
        }

        Rows++;
    }

    /// <summary>Writes the buffered rows as this column's chunk of <paramref name="group"/>.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

    /// <summary>Forgets the buffered rows and returns the arrays to the pool.</summary>
    public virtual void Clear()
    {
        Return(ref _levels);
        Capacity = 0;
        Rows = 0;
    }

    /// <summary>Makes room for one more row; call before storing a value at <see cref="Rows"/> or below.</summary>
    protected void EnsureRoom()
    {
        if (Rows == Capacity)
        {
            Grow();
        }
    }

    /// <summary>Counts a present value for the current row (after <see cref="EnsureRoom"/>).</summary>
    protected void Present()
    {
        if (Nullable)
        {
            _levels[Rows] = 1;
        }

        Rows++;
    }

    /// <summary>Moves the values into an array of at least <paramref name="capacity"/> slots; returns its length.</summary>
    protected abstract int ResizeValues(int capacity);

    /// <summary>The definition levels of the buffered rows, or null for a required column.</summary>
    /// <remarks>The cast matters: a bare null would convert to an empty Memory (through its array conversion), not to no levels.</remarks>
    protected ReadOnlyMemory<int>? Levels => Nullable ? _levels.AsMemory(0, Rows) : (ReadOnlyMemory<int>?)null;

    /// <summary>Moves the first <paramref name="count"/> elements into a pooled array of at least <paramref name="capacity"/>.</summary>
    protected static void Resize<T>(ref T[] array, int capacity, int count)
    {
        var larger = ArrayPool<T>.Shared.Rent(capacity);
        array.AsSpan(0, count).CopyTo(larger);
        Return(ref array);
        array = larger;
    }

    /// <summary>Gives a pooled array back (cleared when it holds references) and leaves an empty one.</summary>
    protected static void Return<T>(ref T[] array)
    {
        if (array.Length > 0)
        {
            ArrayPool<T>.Shared.Return(array, System.Runtime.CompilerServices.RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        }

        array = [];
    }

    private void Grow()
    {
        var capacity = Capacity == 0 ? MinRows : Capacity * 2;
        var length = ResizeValues(capacity);
        if (Nullable)
        {
            Resize(ref _levels, capacity, Rows);
            length = Math.Min(length, _levels.Length);
        }

        Capacity = length;
    }
}

/// <summary>A column of fixed-size values: booleans, integers, doubles, dates.</summary>
internal sealed class ValueBuffer<T>(DataField field, bool nullable, int valueBytes) : ColumnBuffer(field, nullable)
    where T : struct
{
    private T[] _values = [];
    private int _count;

    /// <inheritdoc />
    public override int RowBytes { get; } = valueBytes + (nullable ? sizeof(int) : 0);

    /// <summary>Adds the current row's value.</summary>
    public void Add(T value)
    {
        EnsureRoom();
        _values[_count++] = value;
        Present();
    }

    /// <inheritdoc />
    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken) =>
        group.WriteAllPartsAsync(Field, (ReadOnlyMemory<T>)_values.AsMemory(0, _count), Levels, null, cancellationToken);

    /// <inheritdoc />
    public override void Clear()
    {
        Return(ref _values);
        _count = 0;
        base.Clear();
    }

    /// <inheritdoc />
    protected override int ResizeValues(int capacity)
    {
        Resize(ref _values, capacity, _count);
        return _values.Length;
    }
}

/// <summary>A string column: characters copied into pooled blocks, each value a slice of one.</summary>
internal sealed class StringBuffer(DataField field, bool nullable) : ColumnBuffer(field, nullable)
{
    // 32K characters: 64 KB, below the large object heap.
    private const int BlockChars = 32 * 1024;
    private readonly List<char[]> _blocks = [];
    private ReadOnlyMemory<char>[] _values = [];
    private char[] _block = [];
    private int _used;
    private int _count;
    private string? _last;
    private ReadOnlyMemory<char> _lastSlice;

    /// <inheritdoc />
    public override int RowBytes { get; } = 16 + (nullable ? sizeof(int) : 0);

    /// <summary>Adds the current row's value; returns the characters it buffered.</summary>
    /// <remarks>The same string as the row before (a batch id, a code from a reference list) shares that row's characters.</remarks>
    public int Add(string value)
    {
        if (ReferenceEquals(value, _last))
        {
            Append(_lastSlice);
            return 0;
        }

        var slice = Take(value.Length, out var target);
        value.CopyTo(target);
        _last = value;
        _lastSlice = slice;
        Append(slice);
        return value.Length;
    }

    /// <summary>Adds the current row's value from ASCII bytes; returns the characters it buffered.</summary>
    public int AddAscii(ReadOnlySpan<byte> ascii)
    {
        var slice = Take(ascii.Length, out var target);
        Ascii.ToUtf16(ascii, target, out _);
        Append(slice);
        return ascii.Length;
    }

    /// <summary>Adds the current row's value from UTF-8 (already validated); returns the characters it buffered.</summary>
    public int AddUtf8(ReadOnlySpan<byte> utf8)
    {
        var chars = Encoding.UTF8.GetCharCount(utf8);
        var slice = Take(chars, out var target);
        Encoding.UTF8.GetChars(utf8, target);
        Append(slice);
        return chars;
    }

    /// <inheritdoc />
    public override Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken) =>
        group.WriteAllPartsAsync(Field, (ReadOnlyMemory<ReadOnlyMemory<char>>)_values.AsMemory(0, _count), Levels, null, cancellationToken);

    /// <inheritdoc />
    public override void Clear()
    {
        foreach (var block in _blocks)
        {
            ArrayPool<char>.Shared.Return(block);
        }

        _blocks.Clear();
        _block = [];
        _used = 0;
        _last = null;
        _lastSlice = default;
        Return(ref _values);
        _count = 0;
        base.Clear();
    }

    /// <inheritdoc />
    protected override int ResizeValues(int capacity)
    {
        Resize(ref _values, capacity, _count);
        return _values.Length;
    }

    private ReadOnlyMemory<char> Take(int chars, out Span<char> target)
    {
        if (chars == 0)
        {
            target = [];
            return ReadOnlyMemory<char>.Empty;
        }

        if (chars > BlockChars)
        {
            // A value longer than a block gets a block of its own.
            var own = ArrayPool<char>.Shared.Rent(chars);
            _blocks.Add(own);
            target = own.AsSpan(0, chars);
            return own.AsMemory(0, chars);
        }

        if (_used + chars > _block.Length)
        {
            _block = ArrayPool<char>.Shared.Rent(BlockChars);
            _blocks.Add(_block);
            _used = 0;
        }

        var start = _used;
        _used += chars;
        target = _block.AsSpan(start, chars);
        return _block.AsMemory(start, chars);
    }

    private void Append(ReadOnlyMemory<char> value)
    {
        EnsureRoom();
        _values[_count++] = value;
        Present();
    }
}
