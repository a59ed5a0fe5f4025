using System.Buffers;
using Parquet;
using Parquet.Schema;

namespace DataHub.Parquet;

/// <summary>One column's values for the row group being built, held as the arrays Parquet.Net's row-group writer takes.</summary>
/// <remarks>Non-null values are packed at the front of the values array; a nullable column also keeps one definition level
/// per row (1 present, 0 null). Arrays come from the shared pool and go back to it after each row group.</remarks>
internal abstract class ColumnBuffer(DataField field, bool nullable)
{
    private int[] _levels = [];

    /// <summary>The library's field the values are written as.</summary>
    public DataField Field { get; } = field;

    /// <summary>Rows buffered.</summary>
    public int Rows { get; private set; }

    /// <summary>Bytes of memory one row costs beyond any string characters: the value slot and its definition level.</summary>
    public abstract int RowBytes { get; }

    /// <summary>Whether the column accepts nulls.</summary>
    protected bool Nullable { get; } = nullable;

    /// <summary>Ends the current row with a null.</summary>
    public void AddNull()
    {
        Level(0);
    }

    /// <summary>Writes the buffered rows as this column's chunk of <paramref name="group"/>.</summary>
    public abstract Task WriteAsync(ParquetRowGroupWriter group, CancellationToken cancellationToken);

    /// <summary>Forgets the buffered rows and returns the arrays to the pool.</summary>
    public virtual void Clear()
    {
        Return(ref _levels);
        Rows = 0;
    }

    /// <summary>Counts a present value for the current row.</summary>
    protected void Present() => Level(1);

    /// <summary>The definition levels of the buffered rows, or null for a required column.</summary>
    /// <remarks>The cast matters: a bare null would convert to an empty Memory (through its array conversion), not to no levels.</remarks>
    protected ReadOnlyMemory<int>? Levels => Nullable ? _levels.AsMemory(0, Rows) : (ReadOnlyMemory<int>?)null;

    /// <summary>Makes room for one more element, doubling through the pool.</summary>
    protected static void Grow<T>(ref T[] array, int count)
    {
        if (count < array.Length)
        {
            return;
        }

        var larger = ArrayPool<T>.Shared.Rent(Math.Max(1024, array.Length * 2));
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

    private void Level(int level)
    {
        if (Nullable)
        {
            Grow(ref _levels, Rows);
            _levels[Rows] = level;
        }

        Rows++;
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
        Grow(ref _values, _count);
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
}

/// <summary>A string column: characters copied into pooled blocks, each value a slice of one.</summary>
internal sealed class StringBuffer(DataField field, bool nullable) : ColumnBuffer(field, nullable)
{
    // 32K characters: 64 KB, below the large object heap.
    private const int BlockChars = 32 * 1024;
    private readonly List<char[]> _blocks = [];
    private ReadOnlyMemory<char>[] _values = [];
    private int _count;
    private int _used = BlockChars;

    /// <inheritdoc />
    public override int RowBytes { get; } = 16 + (nullable ? sizeof(int) : 0);

    /// <summary>Adds the current row's value.</summary>
    public void Add(ReadOnlySpan<char> value)
    {
        var target = Reserve(value.Length);
        value.CopyTo(target.Span);
        Append(target);
    }

    /// <summary>Adds the current row's value from UTF-8 (already validated) without making a string.</summary>
    public void AddUtf8(ReadOnlySpan<byte> utf8)
    {
        var target = Reserve(System.Text.Encoding.UTF8.GetCharCount(utf8));
        System.Text.Encoding.UTF8.GetChars(utf8, target.Span);
        Append(target);
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
        _used = BlockChars;
        Return(ref _values);
        _count = 0;
        base.Clear();
    }

    private Memory<char> Reserve(int chars)
    {
        if (chars == 0)
        {
            return Memory<char>.Empty;
        }

        if (chars > BlockChars)
        {
            // A value longer than a block gets a block of its own.
            var own = ArrayPool<char>.Shared.Rent(chars);
            _blocks.Insert(Math.Max(0, _blocks.Count - 1), own);
            return own.AsMemory(0, chars);
        }

        if (_used + chars > BlockChars)
        {
            _blocks.Add(ArrayPool<char>.Shared.Rent(BlockChars));
            _used = 0;
        }

        var slice = _blocks[^1].AsMemory(_used, chars);
        _used += chars;
        return slice;
    }

    private void Append(ReadOnlyMemory<char> value)
    {
        Grow(ref _values, _count);
        _values[_count++] = value;
        Present();
    }
}
