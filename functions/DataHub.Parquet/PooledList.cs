using System.Buffers;

namespace DataHub.Parquet;

/// <summary>A growable list of unmanaged values on pooled arrays, cleared (not freed) between row groups.</summary>
internal sealed class PooledList<T> : IDisposable
    where T : unmanaged
{
    private T[] _items = ArrayPool<T>.Shared.Rent(1024);

    public int Count { get; private set; }

    public Span<T> Span => _items.AsSpan(0, Count);

    public T this[int index] => _items[index];

    public void Add(T value)
    {
        if (Count == _items.Length)
        {
            Grow(Count + 1);
        }

        _items[Count++] = value;
    }

    public void AddRange(ReadOnlySpan<T> values)
    {
        if (_items.Length - Count < values.Length)
        {
            Grow(Count + values.Length);
        }

        values.CopyTo(_items.AsSpan(Count));
        Count += values.Length;
    }

    public void Clear() => Count = 0;

    private void Grow(int needed)
    {
        var next = ArrayPool<T>.Shared.Rent(Math.Max(needed, _items.Length * 2));
        _items.AsSpan(0, Count).CopyTo(next);
        ArrayPool<T>.Shared.Return(_items);
        _items = next;
    }

    public void Dispose()
    {
        var items = _items;
        _items = [];
        Count = 0;
        if (items.Length > 0)
        {
            ArrayPool<T>.Shared.Return(items);
        }
    }
}
