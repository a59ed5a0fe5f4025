using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace DataHub.Core.Validation;

/// <summary>A 64-bit hash of a row's cells (XXH3, from System.IO.Hashing), built cell by cell; one instance serves row after row.</summary>
public sealed class RowHash
{
    private readonly XxHash3 hash = new();
    private readonly byte[] length = new byte[sizeof(int)];

    /// <summary>The hash of a whole record's bytes as sent (one span, no cells to delimit).</summary>
    public static ulong Of(ReadOnlySpan<byte> record) => XxHash3.HashToUInt64(record);

    /// <summary>Adds one cell's bytes; each cell is preceded by its length so ("ab","c") and ("a","bc") differ.</summary>
    public void Add(ReadOnlySpan<byte> cell)
    {
        BinaryPrimitives.WriteInt32LittleEndian(length, cell.Length);
        hash.Append(length);
        hash.Append(cell);
    }

    /// <summary>Adds one cell's text.</summary>
    public void Add(ReadOnlySpan<char> cell) => Add(MemoryMarshal.AsBytes(cell));

    /// <summary>The hash of the cells added since the last call, and a fresh start for the next row.</summary>
    public ulong Finish()
    {
        var value = hash.GetCurrentHashAsUInt64();
        hash.Reset();
        return value;
    }
}
