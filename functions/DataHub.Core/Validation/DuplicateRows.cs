using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace DataHub.Core.Validation;

/// <summary>Finds rows that repeat an earlier row of the same file by a 64-bit hash of their cells; never keeps the text.</summary>
/// <remarks>Memory is 8–16 bytes per distinct row, in 256 independently growing tables so no single resize doubles the footprint.</remarks>
public sealed class DuplicateRows
{
    private const int Partitions = 256;
    private readonly ulong[][] tables = new ulong[Partitions][];
    private readonly int[] counts = new int[Partitions];

    /// <summary>The number of distinct rows seen.</summary>
    public long Distinct { get; private set; }

    /// <summary>Records the row's hash; true when the same hash was recorded before (the row is a repeat).</summary>
    public bool IsRepeat(ulong hash)
    {
        // Zero marks an empty slot.
        hash = hash == 0 ? 1 : hash;
        var partition = (int)(hash >> 56);
        var table = tables[partition] ??= new ulong[64];
        if (counts[partition] * 4 >= table.Length * 3)
        {
            table = tables[partition] = Grow(table);
        }

        var mask = table.Length - 1;
        for (var slot = (int)hash & mask; ; slot = (slot + 1) & mask)
        {
            var existing = table[slot];
            if (existing == hash)
            {
                return true;
            }

            if (existing == 0)
            {
                table[slot] = hash;
                counts[partition]++;
                Distinct++;
                return false;
            }
        }
    }

    private static ulong[] Grow(ulong[] table)
    {
        var larger = new ulong[table.Length * 2];
        var mask = larger.Length - 1;
        foreach (var hash in table)
        {
            if (hash == 0)
            {
                continue;
            }

            var slot = (int)hash & mask;
            while (larger[slot] != 0)
            {
                slot = (slot + 1) & mask;
            }

            larger[slot] = hash;
        }

        return larger;
    }
}

/// <summary>A 64-bit hash of a row's cells, built cell by cell (multiply-rotate mixing with a strong finaliser).</summary>
public struct RowHash
{
    private const ulong Prime1 = 0x9E3779B185EBCA87UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;
    private ulong state;

    /// <summary>Adds one cell's bytes; cells are delimited so ("ab","c") and ("a","bc") differ.</summary>
    public void Add(ReadOnlySpan<byte> cell)
    {
        var h = state ^ ((ulong)cell.Length * Prime2);
        while (cell.Length >= 8)
        {
            h = Mix(h, BinaryPrimitives.ReadUInt64LittleEndian(cell));
            cell = cell[8..];
        }

        if (!cell.IsEmpty)
        {
            var tail = 0UL;
            for (var i = 0; i < cell.Length; i++)
            {
                tail |= (ulong)cell[i] << (8 * i);
            }

            h = Mix(h, tail ^ ((ulong)cell.Length << 56));
        }

        state = Mix(h, 0xFF);
    }

    /// <summary>Adds one cell's text.</summary>
    public void Add(ReadOnlySpan<char> cell) => Add(MemoryMarshal.AsBytes(cell));

    /// <summary>The finished hash.</summary>
    public readonly ulong Finish()
    {
        var h = state;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h;
    }

    private static ulong Mix(ulong h, ulong word)
    {
        word *= Prime2;
        word = BitOperations.RotateLeft(word, 31);
        word *= Prime1;
        h ^= word;
        return (BitOperations.RotateLeft(h, 27) * Prime1) + 0x52DCE729UL;
    }
}
