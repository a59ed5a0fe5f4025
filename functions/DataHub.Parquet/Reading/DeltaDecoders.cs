using DataHub.Parquet.Format;

namespace DataHub.Parquet.Reading;

/// <summary>Decoders for the Parquet v2 value encodings DuckDB writes with PARQUET_VERSION V2:
/// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY and BYTE_STREAM_SPLIT (Encodings.md).</summary>
internal static class DeltaDecoders
{
    /// <summary>Blocks larger than this are refused: the spec's writers use 128 values a block.</summary>
    private const ulong MaxBlockSize = 1 << 16;

    /// <summary>Decodes <c>output.Length</c> integers (wrapping 64-bit arithmetic) and returns the bytes consumed; -1 if malformed.</summary>
    public static int DecodeBinaryPacked(ReadOnlySpan<byte> data, Span<long> output)
    {
        var position = 0;
        if (!RleHybrid.TryReadVarint(data, ref position, out var blockSize) || !RleHybrid.TryReadVarint(data, ref position, out var miniblocks)
            || !RleHybrid.TryReadVarint(data, ref position, out var total) || !RleHybrid.TryReadVarint(data, ref position, out var firstRaw))
        {
            return -1;
        }

        if (blockSize == 0 || blockSize > MaxBlockSize || blockSize % 128 != 0 || miniblocks == 0 || blockSize % miniblocks != 0
            || blockSize / miniblocks % 32 != 0 || total != (ulong)output.Length)
        {
            return -1;
        }

        var perMiniblock = (int)(blockSize / miniblocks);
        var value = ZigZag(firstRaw);
        var filled = 0;
        if (output.Length > 0)
        {
            output[filled++] = value;
        }

        var remaining = (long)total - 1;
        while (remaining > 0)
        {
            if (!RleHybrid.TryReadVarint(data, ref position, out var minDeltaRaw) || data.Length - position < (int)miniblocks)
            {
                return -1;
            }

            var minDelta = ZigZag(minDeltaRaw);
            var widths = data.Slice(position, (int)miniblocks);
            position += (int)miniblocks;
            for (var m = 0; m < (int)miniblocks && remaining > 0; m++)
            {
                var width = widths[m];
                if (width > 64)
                {
                    return -1;
                }

                var bytes = perMiniblock * width / 8;
                if (data.Length - position < bytes)
                {
                    return -1;
                }

                var packed = data.Slice(position, bytes);
                position += bytes;
                var count = (int)Math.Min(perMiniblock, remaining);
                for (var k = 0; k < count; k++)
                {
                    value = unchecked(value + minDelta + (long)Unpack(packed, k, width));
                    if (filled < output.Length)
                    {
                        output[filled++] = value;
                    }
                }

                remaining -= count;
            }
        }

        return filled == output.Length ? position : -1;
    }

    /// <summary>Decodes strings whose lengths are DELTA_BINARY_PACKED ahead of the concatenated bytes; false if malformed.</summary>
    public static bool DecodeLengthByteArray(ReadOnlySpan<byte> data, Span<string?> output)
    {
        var lengths = new long[output.Length];
        var consumed = DecodeBinaryPacked(data, lengths);
        if (consumed < 0)
        {
            return false;
        }

        var position = consumed;
        for (var i = 0; i < output.Length; i++)
        {
            if (lengths[i] < 0 || lengths[i] > data.Length - position)
            {
                return false;
            }

            output[i] = System.Text.Encoding.UTF8.GetString(data.Slice(position, (int)lengths[i]));
            position += (int)lengths[i];
        }

        return true;
    }

    /// <summary>Re-interleaves BYTE_STREAM_SPLIT bytes (byte k of every value stored together) into little-endian values.</summary>
    public static bool DecodeByteStreamSplit(ReadOnlySpan<byte> data, Span<byte> output, int width)
    {
        var count = output.Length / width;
        if (data.Length < output.Length)
        {
            return false;
        }

        for (var k = 0; k < width; k++)
        {
            var stream = data.Slice(k * count, count);
            for (var i = 0; i < count; i++)
            {
                output[(i * width) + k] = stream[i];
            }
        }

        return true;
    }

    private static ulong Unpack(ReadOnlySpan<byte> packed, int index, int width)
    {
        if (width == 0)
        {
            return 0;
        }

        var bit = (long)index * width;
        ulong result = 0;
        var produced = 0;
        while (produced < width)
        {
            var b = packed[(int)(bit >> 3)];
            var offset = (int)(bit & 7);
            var take = Math.Min(8 - offset, width - produced);
            result |= (ulong)((b >> offset) & ((1 << take) - 1)) << produced;
            produced += take;
            bit += take;
        }

        return result;
    }

    private static long ZigZag(ulong raw) => (long)(raw >> 1) ^ -(long)(raw & 1);
}
