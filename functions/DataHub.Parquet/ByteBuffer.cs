using System.Buffers;
using System.Buffers.Binary;

namespace DataHub.Parquet;

/// <summary>A growable byte buffer on pooled arrays, reused across pages so encoding does not allocate per value.</summary>
internal sealed class ByteBuffer : IDisposable
{
    private byte[] _data;

    public ByteBuffer(int capacity = 4096)
    {
        _data = ArrayPool<byte>.Shared.Rent(Math.Max(capacity, 16));
    }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Span => _data.AsSpan(0, Length);

    public ReadOnlyMemory<byte> Memory => _data.AsMemory(0, Length);

    public byte[] Array => _data;

    public void Clear() => Length = 0;

    public void Write(byte value)
    {
        if (Length == _data.Length)
        {
            Grow(1);
        }

        _data[Length++] = value;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_data.AsSpan(Length));
        Length += bytes.Length;
    }

    public void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(Length), value);
        Length += 4;
    }

    public void WriteInt64(long value)
    {
        Reserve(8);
        BinaryPrimitives.WriteInt64LittleEndian(_data.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteDouble(double value)
    {
        Reserve(8);
        BinaryPrimitives.WriteDoubleLittleEndian(_data.AsSpan(Length), value);
        Length += 8;
    }

    public void WriteVarint(ulong value)
    {
        Reserve(10);
        while (value >= 0x80)
        {
            _data[Length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _data[Length++] = (byte)value;
    }

    /// <summary>Makes room for <paramref name="count"/> more bytes and returns them; call <see cref="Advance"/> after filling.</summary>
    public Span<byte> GetSpan(int count)
    {
        Reserve(count);
        return _data.AsSpan(Length, count);
    }

    public void Advance(int count) => Length += count;

    /// <summary>Overwrites four bytes already written (for length prefixes).</summary>
    public void PatchInt32(int position, int value) => BinaryPrimitives.WriteInt32LittleEndian(_data.AsSpan(position), value);

    private void Reserve(int count)
    {
        if (_data.Length - Length < count)
        {
            Grow(count);
        }
    }

    private void Grow(int count)
    {
        var needed = (long)Length + count;
        var size = Math.Max(needed, (long)_data.Length * 2);
        if (size > System.Array.MaxLength)
        {
            size = needed <= System.Array.MaxLength ? System.Array.MaxLength : throw new InvalidOperationException("A Parquet page or column chunk exceeds 2 GB.");
        }

        var next = ArrayPool<byte>.Shared.Rent((int)size);
        _data.AsSpan(0, Length).CopyTo(next);
        ArrayPool<byte>.Shared.Return(_data);
        _data = next;
    }

    public void Dispose()
    {
        var data = _data;
        _data = [];
        Length = 0;
        if (data.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(data);
        }
    }
}
