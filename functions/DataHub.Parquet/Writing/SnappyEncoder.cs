using System.Buffers.Binary;
using System.Numerics;

namespace DataHub.Parquet.Writing;

/// <summary>
/// Compresses pages in the raw Snappy block format (a varint length, then literals and back-references), reusing its
/// hash table and output buffer from page to page so the write path allocates nothing per page.
/// </summary>
/// <remarks>Greedy matching on 4-byte hashes in 64 KB fragments, with the usual skip-ahead through incompressible runs
/// (hex tokens, ids). Any valid Snappy decoder reads the output; the tests decode it with an independent one.</remarks>
internal sealed class SnappyEncoder
{
    private const int FragmentBytes = 1 << 16;
    private const int TableBits = 14;
    private const int MinMatch = 4;

    private readonly ushort[] _table = new ushort[1 << TableBits];

    /// <summary>The worst-case compressed size of <paramref name="length"/> bytes (every byte a literal, plus tags).</summary>
    public static int MaxLength(int length) => 32 + length + (length / 6);

    /// <summary>Compresses <paramref name="input"/> into <paramref name="output"/> (at least <see cref="MaxLength"/> long); returns the bytes written.</summary>
    public int Encode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var written = WriteVarint(output, (uint)input.Length);
        for (var start = 0; start < input.Length; start += FragmentBytes)
        {
            var fragment = input.Slice(start, Math.Min(FragmentBytes, input.Length - start));
            written += EncodeFragment(fragment, output[written..]);
        }

        return written;
    }

    private static int WriteVarint(Span<byte> output, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            output[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        output[i++] = (byte)value;
        return i;
    }

    private static int Hash(uint fourBytes) => (int)((fourBytes * 0x1E35A7BDu) >> (32 - TableBits));

    private static int EmitLiteral(ReadOnlySpan<byte> literal, Span<byte> output)
    {
        var n = literal.Length - 1;
        int header;
        if (n < 60)
        {
            output[0] = (byte)(n << 2);
            header = 1;
        }
        else
        {
            // 60..63 say the length minus one follows in 1..4 little-endian bytes.
            var bytes = n < 1 << 8 ? 1 : n < 1 << 16 ? 2 : n < 1 << 24 ? 3 : 4;
            output[0] = (byte)((59 + bytes) << 2);
            for (var b = 0; b < bytes; b++)
            {
                output[1 + b] = (byte)(n >> (8 * b));
            }

            header = 1 + bytes;
        }

        literal.CopyTo(output[header..]);
        return header + literal.Length;
    }

    private static int EmitCopy(int offset, int length, Span<byte> output)
    {
        var written = 0;

        // A 2-byte-offset copy carries at most 64 bytes; keep at least 4 for the last piece.
        while (length >= 68)
        {
            written += EmitCopyUpTo64(offset, 64, output[written..]);
            length -= 64;
        }

        if (length > 64)
        {
            written += EmitCopyUpTo64(offset, 60, output[written..]);
            length -= 60;
        }

        return written + EmitCopyUpTo64(offset, length, output[written..]);
    }

    private static int EmitCopyUpTo64(int offset, int length, Span<byte> output)
    {
        if (length is >= 4 and <= 11 && offset < 2048)
        {
            output[0] = (byte)(0b01 | ((length - 4) << 2) | ((offset >> 8) << 5));
            output[1] = (byte)offset;
            return 2;
        }

        output[0] = (byte)(0b10 | ((length - 1) << 2));
        BinaryPrimitives.WriteUInt16LittleEndian(output[1..], (ushort)offset);
        return 3;
    }

    private int EncodeFragment(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (input.Length < MinMatch + 11)
        {
            return input.IsEmpty ? 0 : EmitLiteral(input, output);
        }

        Array.Clear(_table);
        var written = 0;
        var literalStart = 0;
        var position = 1;

        // Leave room at the end so every 4-byte read stays inside the fragment.
        var limit = input.Length - MinMatch;
        var misses = 32;
        while (position < limit)
        {
            var current = BinaryPrimitives.ReadUInt32LittleEndian(input[position..]);
            var hash = Hash(current);
            var candidate = _table[hash];
            _table[hash] = (ushort)position;
            if (candidate >= position || BinaryPrimitives.ReadUInt32LittleEndian(input[candidate..]) != current)
            {
                // Every 32 misses in a row the stride grows by one: incompressible data is crossed quickly.
                position += misses++ >> 5;
                continue;
            }

            misses = 32;
            var length = MinMatch + CommonPrefix(input[(candidate + MinMatch)..], input[(position + MinMatch)..]);
            if (position > literalStart)
            {
                written += EmitLiteral(input[literalStart..position], output[written..]);
            }

            written += EmitCopy(position - candidate, length, output[written..]);
            position += length;
            literalStart = position;
            if (position < limit)
            {
                // Remember the position just before the next one, so a run that repeats straight away is found.
                _table[Hash(BinaryPrimitives.ReadUInt32LittleEndian(input[(position - 1)..]))] = (ushort)(position - 1);
            }
        }

        if (literalStart < input.Length)
        {
            written += EmitLiteral(input[literalStart..], output[written..]);
        }

        return written;
    }

    private static int CommonPrefix(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var max = Math.Min(a.Length, b.Length);
        var n = 0;
        while (n + 8 <= max)
        {
            var diff = BinaryPrimitives.ReadUInt64LittleEndian(a[n..]) ^ BinaryPrimitives.ReadUInt64LittleEndian(b[n..]);
            if (diff != 0)
            {
                return n + (BitOperations.TrailingZeroCount(diff) >> 3);
            }

            n += 8;
        }

        while (n < max && a[n] == b[n])
        {
            n++;
        }

        return n;
    }
}
