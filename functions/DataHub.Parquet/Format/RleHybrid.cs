using System.Numerics;

namespace DataHub.Parquet.Format;

/// <summary>The RLE/bit-packing hybrid encoding used for definition levels and dictionary indices (Encodings.md).</summary>
internal static class RleHybrid
{
    /// <summary>Bits needed to hold values 0..maxValue.</summary>
    public static int BitWidth(int maxValue) => maxValue <= 0 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)maxValue);

    /// <summary>Appends the values as runs: repeats of eight or more as RLE runs, the rest bit-packed in groups of eight.</summary>
    public static void Encode<T>(ReadOnlySpan<T> values, int bitWidth, ByteBuffer output)
        where T : unmanaged, IBinaryInteger<T>
    {
        var n = values.Length;
        var i = 0;
        var literalStart = 0;
        while (i < n)
        {
            var value = values[i];
            var j = i + 1;
            while (j < n && values[j] == value)
            {
                j++;
            }

            var run = j - i;
            if (run >= 8)
            {
                // A bit-packed run must hold a multiple of eight values, so the repeat tops up the pending literals first.
                var pending = i - literalStart;
                var pad = (8 - (pending & 7)) & 7;
                if (run - pad >= 8)
                {
                    i += pad;
                    if (i > literalStart)
                    {
                        WriteBitPacked(values[literalStart..i], bitWidth, output);
                    }

                    WriteRun(j - i, int.CreateTruncating(value), bitWidth, output);
                    literalStart = j;
                }
            }

            i = j;
        }

        if (literalStart < n)
        {
            WriteBitPacked(values[literalStart..n], bitWidth, output);
        }
    }

    private static void WriteRun(int count, int value, int bitWidth, ByteBuffer output)
    {
        output.WriteVarint((ulong)count << 1);
        var bytes = (bitWidth + 7) / 8;
        for (var b = 0; b < bytes; b++)
        {
            output.Write((byte)(value >> (8 * b)));
        }
    }

    private static void WriteBitPacked<T>(ReadOnlySpan<T> values, int bitWidth, ByteBuffer output)
        where T : unmanaged, IBinaryInteger<T>
    {
        var groups = (values.Length + 7) / 8;
        output.WriteVarint(((ulong)groups << 1) | 1);
        if (bitWidth == 0)
        {
            return;
        }

        var span = output.GetSpan(groups * bitWidth);
        var position = 0;
        ulong buffer = 0;
        var bits = 0;
        var total = groups * 8;
        for (var k = 0; k < total; k++)
        {
            var v = k < values.Length ? ulong.CreateTruncating(values[k]) : 0UL;
            buffer |= v << bits;
            bits += bitWidth;
            while (bits >= 8)
            {
                span[position++] = (byte)buffer;
                buffer >>= 8;
                bits -= 8;
            }
        }

        output.Advance(position);
    }

    /// <summary>Counts the values the runs hold, up to <paramref name="limit"/>, without decoding them.</summary>
    /// <remarks>Lets a reader check a page's declared value count against its bytes before allocating for it.</remarks>
    public static long CountValues(ReadOnlySpan<byte> data, int bitWidth, long limit)
    {
        long count = 0;
        var position = 0;
        var byteWidth = (bitWidth + 7) / 8;
        while (count < limit && position < data.Length)
        {
            if (!TryReadVarint(data, ref position, out var header))
            {
                return count;
            }

            var left = (ulong)(limit - count);
            if ((header & 1) == 0)
            {
                if (data.Length - position < byteWidth)
                {
                    return count;
                }

                count += (long)Math.Min(header >> 1, left);
                position += byteWidth;
            }
            else
            {
                var groups = header >> 1;
                var present = bitWidth == 0 ? groups : (ulong)(data.Length - position) / (ulong)bitWidth;
                var whole = Math.Min(groups, present);
                count += (long)(whole > left / 8 ? left : Math.Min(whole * 8, left));
                if (whole < groups)
                {
                    // The last group may be cut short: count the values its remaining bytes hold.
                    var bitsLeft = (ulong)(data.Length - position) * 8 - (whole * (ulong)bitWidth * 8);
                    count += (long)Math.Min(bitWidth == 0 ? 0 : bitsLeft / (ulong)bitWidth, (ulong)(limit - count));
                    return count;
                }

                position += (int)(groups * (ulong)bitWidth);
            }
        }

        return count;
    }

    /// <summary>Decodes exactly <c>output.Length</c> values; false if the data ends early or is malformed.</summary>
    public static bool Decode(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        var position = 0;
        var filled = 0;
        var byteWidth = (bitWidth + 7) / 8;
        while (filled < output.Length)
        {
            if (!TryReadVarint(data, ref position, out var header))
            {
                return false;
            }

            if ((header & 1) == 0)
            {
                var count = (int)Math.Min(header >> 1, (ulong)(output.Length - filled));
                if (data.Length - position < byteWidth)
                {
                    return false;
                }

                var value = 0;
                for (var b = 0; b < byteWidth; b++)
                {
                    value |= data[position + b] << (8 * b);
                }

                position += byteWidth;
                output.Slice(filled, count).Fill(value);
                filled += count;
            }
            else
            {
                var groups = header >> 1;
                var wanted = (int)Math.Min(groups * 8, (ulong)(output.Length - filled));
                var available = (data.Length - position) * 8L / Math.Max(bitWidth, 1);
                if (bitWidth > 0 && available < wanted)
                {
                    return false;
                }

                UnpackBits(data[position..], bitWidth, output.Slice(filled, wanted));
                filled += wanted;
                var consumed = groups * (ulong)bitWidth;
                position = consumed > (ulong)(data.Length - position) ? data.Length : position + (int)consumed;
            }
        }

        return true;
    }

    private static void UnpackBits(ReadOnlySpan<byte> data, int bitWidth, Span<int> output)
    {
        if (bitWidth == 0)
        {
            output.Clear();
            return;
        }

        var mask = bitWidth == 32 ? ulong.MaxValue >> 32 : (1UL << bitWidth) - 1;
        ulong buffer = 0;
        var bits = 0;
        var position = 0;
        for (var k = 0; k < output.Length; k++)
        {
            while (bits < bitWidth)
            {
                buffer |= (ulong)data[position++] << bits;
                bits += 8;
            }

            output[k] = (int)(buffer & mask);
            buffer >>= bitWidth;
            bits -= bitWidth;
        }
    }

    /// <summary>Reads an unsigned LEB128 varint; false if the data ends or it runs past 64 bits.</summary>
    public static bool TryReadVarint(ReadOnlySpan<byte> data, ref int position, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (position >= data.Length)
            {
                return false;
            }

            var b = data[position++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
