using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using DataHub.Parquet.Format;
using DataHub.Parquet.Thrift;

namespace DataHub.Parquet.Reading;

/// <summary>Decodes one column chunk (its pages, already read into memory) into a typed array per row.</summary>
/// <remarks>Every count and size in a page header is checked against the bytes present before anything is allocated for it.</remarks>
internal sealed class ChunkDecoder
{
    private readonly byte[] _chunk;
    private readonly ColumnLayout _layout;
    private readonly Codec _codec;
    private readonly int _rows;
    private readonly string _fileName;
    private readonly string _where;
    private readonly bool[]? _nulls;
    private bool[]? _booleans;
    private int[]? _ints;
    private long[]? _longs;
    private float[]? _floats;
    private double[]? _doubles;
    private string?[]? _strings;
    private Array? _dictionary;
    private int _dictionaryCount;

    public ChunkDecoder(byte[] chunk, ColumnLayout layout, Codec codec, int rows, string fileName, string where)
    {
        _chunk = chunk;
        _layout = layout;
        _codec = codec;
        _rows = rows;
        _fileName = fileName;
        _where = where;
        _nulls = layout.Column.Nullable ? new bool[rows] : null;
        switch (layout.Physical)
        {
            case PhysicalType.Boolean:
                _booleans = new bool[rows];
                break;
            case PhysicalType.Int32:
                _ints = new int[rows];
                break;
            case PhysicalType.Int64:
                _longs = new long[rows];
                break;
            case PhysicalType.Float:
                _floats = new float[rows];
                break;
            case PhysicalType.Double:
                _doubles = new double[rows];
                break;
            default:
                _strings = new string?[rows];
                break;
        }
    }

    public ParquetColumnData Decode()
    {
        var position = 0;
        var row = 0;
        while (row < _rows)
        {
            if (position >= _chunk.Length)
            {
                throw Fail($"column chunk ends after {row} of {_rows} values");
            }

            var reader = new CompactReader(_chunk, position, _chunk.Length, _fileName, $"{_where}: page header");
            var header = PageHeader.Read(reader);
            position = reader.Position;
            if (header.CompressedSize > _chunk.Length - position)
            {
                throw Fail("page runs past the end of its column chunk");
            }

            var stored = _chunk.AsSpan(position, header.CompressedSize);
            position += header.CompressedSize;
            if (header.Crc is { } crc && unchecked((int)Crc32.Compute(stored)) != crc)
            {
                throw Fail("page checksum mismatch (the page is damaged)");
            }

            switch (header.Type)
            {
                case PageType.DictionaryPage:
                    if (_dictionary is not null || row > 0)
                    {
                        throw Fail("dictionary page is not the chunk's first page");
                    }

                    if (header.Encoding is not (Format.Encoding.Plain or Format.Encoding.PlainDictionary))
                    {
                        throw Fail($"dictionary page encoding {header.Encoding} is not supported");
                    }

                    ReadDictionary(header, Decompressor.Decompress(_codec, stored, header.UncompressedSize, Fail));
                    break;
                case PageType.DataPage:
                    row += ReadDataPageV1(header, stored, row);
                    break;
                case PageType.DataPageV2:
                    row += ReadDataPageV2(header, stored, row);
                    break;
                default:
                    // Index pages and unknown kinds carry no values.
                    break;
            }
        }

        return Finish();
    }

    private ParquetFormatException Fail(string problem) => new(_fileName, $"{_where}: {problem}");

    private int CheckedValueCount(PageHeader header, int row)
    {
        if (header.NumValues < 0 || header.NumValues > _rows - row)
        {
            throw Fail($"page holds {header.NumValues} values but only {_rows - row} remain in the row group");
        }

        return header.NumValues;
    }

    private int ReadDataPageV1(PageHeader header, ReadOnlySpan<byte> stored, int row)
    {
        var count = CheckedValueCount(header, row);
        var page = Decompressor.Decompress(_codec, stored, header.UncompressedSize, Fail);
        var span = page.AsSpan();
        var defined = count;
        var levels = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
        try
        {
            if (_layout.Column.Nullable)
            {
                if (header.DefinitionLevelEncoding != Format.Encoding.Rle)
                {
                    throw Fail($"definition level encoding {header.DefinitionLevelEncoding} is not supported");
                }

                if (span.Length < 4)
                {
                    throw Fail("page too short for its definition levels");
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(span);
                if (length < 0 || length > span.Length - 4)
                {
                    throw Fail("definition levels run past the page");
                }

                defined = ReadLevels(span.Slice(4, length), count, levels);
                span = span[(4 + length)..];
            }

            ReadValues(header.Encoding, span, row, count, defined, levels);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(levels);
        }

        return count;
    }

    private int ReadDataPageV2(PageHeader header, ReadOnlySpan<byte> stored, int row)
    {
        var count = CheckedValueCount(header, row);
        if (header.RepetitionLevelsLength != 0)
        {
            throw Fail("repetition levels in a flat column");
        }

        if (header.DefinitionLevelsLength < 0 || header.DefinitionLevelsLength > stored.Length)
        {
            throw Fail("definition levels run past the page");
        }

        var levelBytes = stored[..header.DefinitionLevelsLength];
        var valueBytes = stored[header.DefinitionLevelsLength..];
        var uncompressedValues = header.UncompressedSize - header.DefinitionLevelsLength;
        if (uncompressedValues < 0)
        {
            throw Fail("page sizes are inconsistent");
        }

        var values = header.IsCompressed
            ? Decompressor.Decompress(_codec, valueBytes, uncompressedValues, Fail)
            : Decompressor.Decompress(Codec.Uncompressed, valueBytes, uncompressedValues, Fail);
        var defined = count;
        var levels = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
        try
        {
            if (_layout.Column.Nullable)
            {
                defined = ReadLevels(levelBytes, count, levels);
            }
            else if (!levelBytes.IsEmpty)
            {
                throw Fail("definition levels in a required column");
            }

            ReadValues(header.Encoding, values, row, count, defined, levels);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(levels);
        }

        return count;
    }

    /// <summary>Decodes the 0/1 definition levels and returns how many values are defined.</summary>
    private int ReadLevels(ReadOnlySpan<byte> data, int count, int[] levels)
    {
        if (RleHybrid.CountValues(data, 1, count) < count || !RleHybrid.Decode(data, 1, levels.AsSpan(0, count)))
        {
            throw Fail("definition levels end early or are malformed");
        }

        var defined = 0;
        foreach (var level in levels.AsSpan(0, count))
        {
            defined += level;
        }

        return defined;
    }

    private void ReadValues(Format.Encoding encoding, ReadOnlySpan<byte> data, int row, int count, int defined, int[] levels)
    {
        switch (encoding)
        {
            case Format.Encoding.Plain:
                ReadPlain(data, row, defined);
                break;
            case Format.Encoding.PlainDictionary or Format.Encoding.RleDictionary:
                ReadDictionaryIndices(data, row, defined);
                break;
            case Format.Encoding.Rle when _layout.Physical == PhysicalType.Boolean:
                ReadRleBooleans(data, row, defined);
                break;
            case Format.Encoding.DeltaBinaryPacked when _layout.Physical is PhysicalType.Int32 or PhysicalType.Int64:
                ReadDeltaIntegers(data, row, defined);
                break;
            case Format.Encoding.DeltaLengthByteArray when _layout.Physical == PhysicalType.ByteArray:
                if (!DeltaDecoders.DecodeLengthByteArray(data, _strings.AsSpan(row, defined)))
                {
                    throw Fail("DELTA_LENGTH_BYTE_ARRAY values are malformed");
                }

                break;
            case Format.Encoding.ByteStreamSplit when _layout.Physical is not (PhysicalType.Boolean or PhysicalType.ByteArray):
                ReadByteStreamSplit(data, row, defined);
                break;
            default:
                throw Fail($"value encoding {encoding} is not supported");
        }

        if (_nulls is not null && defined < count)
        {
            Spread(row, count, defined, levels);
        }
    }

    /// <summary>Moves the <paramref name="defined"/> values decoded at the front of the page's rows to the rows whose level is 1.</summary>
    private void Spread(int row, int count, int defined, int[] levels)
    {
        var from = defined - 1;
        for (var i = count - 1; i >= 0; i--)
        {
            if (levels[i] == 1)
            {
                Move(row + from, row + i);
                from--;
            }
            else
            {
                _nulls![row + i] = true;
                Clear(row + i);
            }
        }
    }

    private void Move(int from, int to)
    {
        if (from == to)
        {
            return;
        }

        if (_booleans is not null)
        {
            _booleans[to] = _booleans[from];
        }
        else if (_ints is not null)
        {
            _ints[to] = _ints[from];
        }
        else if (_longs is not null)
        {
            _longs[to] = _longs[from];
        }
        else if (_floats is not null)
        {
            _floats[to] = _floats[from];
        }
        else if (_doubles is not null)
        {
            _doubles[to] = _doubles[from];
        }
        else
        {
            _strings![to] = _strings[from];
        }
    }

    private void Clear(int at)
    {
        if (_booleans is not null)
        {
            _booleans[at] = false;
        }
        else if (_ints is not null)
        {
            _ints[at] = 0;
        }
        else if (_longs is not null)
        {
            _longs[at] = 0;
        }
        else if (_floats is not null)
        {
            _floats[at] = 0;
        }
        else if (_doubles is not null)
        {
            _doubles[at] = 0;
        }
        else
        {
            _strings![at] = null;
        }
    }

    private void ReadPlain(ReadOnlySpan<byte> data, int row, int count)
    {
        switch (_layout.Physical)
        {
            case PhysicalType.Boolean:
                if ((count + 7) / 8 > data.Length)
                {
                    throw Fail("page ends before its values");
                }

                for (var i = 0; i < count; i++)
                {
                    _booleans![row + i] = ((data[i >> 3] >> (i & 7)) & 1) != 0;
                }

                break;
            case PhysicalType.Int32:
                CopyFixed(data, _ints!.AsSpan(row, count));
                break;
            case PhysicalType.Int64:
                CopyFixed(data, _longs!.AsSpan(row, count));
                break;
            case PhysicalType.Float:
                CopyFixed(data, _floats!.AsSpan(row, count));
                break;
            case PhysicalType.Double:
                CopyFixed(data, _doubles!.AsSpan(row, count));
                break;
            default:
                ReadPlainStrings(data, _strings.AsSpan(row, count));
                break;
        }
    }

    private void CopyFixed<T>(ReadOnlySpan<byte> data, Span<T> output)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(output);
        if (bytes.Length > data.Length)
        {
            throw Fail("page ends before its values");
        }

        data[..bytes.Length].CopyTo(bytes);
    }

    private void ReadPlainStrings(ReadOnlySpan<byte> data, Span<string?> output)
    {
        var position = 0;
        for (var i = 0; i < output.Length; i++)
        {
            if (data.Length - position < 4)
            {
                throw Fail("page ends before its values");
            }

            var length = BinaryPrimitives.ReadInt32LittleEndian(data[position..]);
            position += 4;
            if (length < 0 || length > data.Length - position)
            {
                throw Fail("string length runs past the page");
            }

            output[i] = System.Text.Encoding.UTF8.GetString(data.Slice(position, length));
            position += length;
        }
    }

    private void ReadDeltaIntegers(ReadOnlySpan<byte> data, int row, int count)
    {
        var values = new long[count];
        if (DeltaDecoders.DecodeBinaryPacked(data, values) < 0)
        {
            throw Fail("DELTA_BINARY_PACKED values are malformed");
        }

        if (_ints is not null)
        {
            for (var i = 0; i < count; i++)
            {
                _ints[row + i] = unchecked((int)values[i]);
            }
        }
        else
        {
            values.CopyTo(_longs.AsSpan(row, count));
        }
    }

    private void ReadByteStreamSplit(ReadOnlySpan<byte> data, int row, int count)
    {
        var bytes = _layout.Physical switch
        {
            PhysicalType.Int32 => MemoryMarshal.AsBytes(_ints.AsSpan(row, count)),
            PhysicalType.Int64 => MemoryMarshal.AsBytes(_longs.AsSpan(row, count)),
            PhysicalType.Float => MemoryMarshal.AsBytes(_floats.AsSpan(row, count)),
            _ => MemoryMarshal.AsBytes(_doubles.AsSpan(row, count)),
        };
        var width = _layout.Physical is PhysicalType.Int32 or PhysicalType.Float ? 4 : 8;
        if (!DeltaDecoders.DecodeByteStreamSplit(data, bytes, width))
        {
            throw Fail("BYTE_STREAM_SPLIT values end early");
        }
    }

    private void ReadRleBooleans(ReadOnlySpan<byte> data, int row, int count)
    {
        if (data.Length < 4)
        {
            throw Fail("page ends before its values");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length < 0 || length > data.Length - 4)
        {
            throw Fail("boolean runs past the page");
        }

        var runs = data.Slice(4, length);
        var values = ArrayPool<int>.Shared.Rent(Math.Max(1, count));
        try
        {
            if (RleHybrid.CountValues(runs, 1, count) < count || !RleHybrid.Decode(runs, 1, values.AsSpan(0, count)))
            {
                throw Fail("boolean runs end early or are malformed");
            }

            for (var i = 0; i < count; i++)
            {
                _booleans![row + i] = values[i] != 0;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(values);
        }
    }

    private void ReadDictionary(PageHeader header, byte[] page)
    {
        var count = header.NumValues;
        var minimum = _layout.Physical switch
        {
            PhysicalType.Boolean => 0L,
            PhysicalType.Int32 or PhysicalType.Float => 4L,
            PhysicalType.Int64 or PhysicalType.Double => 8L,
            _ => 4L,
        };
        if (count < 0 || count * minimum > page.Length || (_layout.Physical == PhysicalType.Boolean && count > page.Length * 8L))
        {
            throw Fail("dictionary claims more values than its page holds");
        }

        _dictionaryCount = count;
        switch (_layout.Physical)
        {
            case PhysicalType.Boolean:
                {
                    var values = new bool[count];
                    for (var i = 0; i < count; i++)
                    {
                        values[i] = ((page[i >> 3] >> (i & 7)) & 1) != 0;
                    }

                    _dictionary = values;
                    break;
                }

            case PhysicalType.Int32:
                _dictionary = MemoryMarshal.Cast<byte, int>(page.AsSpan(0, count * 4)).ToArray();
                break;
            case PhysicalType.Int64:
                _dictionary = MemoryMarshal.Cast<byte, long>(page.AsSpan(0, count * 8)).ToArray();
                break;
            case PhysicalType.Float:
                _dictionary = MemoryMarshal.Cast<byte, float>(page.AsSpan(0, count * 4)).ToArray();
                break;
            case PhysicalType.Double:
                _dictionary = MemoryMarshal.Cast<byte, double>(page.AsSpan(0, count * 8)).ToArray();
                break;
            default:
                {
                    var values = new string?[count];
                    ReadPlainStrings(page, values);
                    _dictionary = values;
                    break;
                }
        }
    }

    private void ReadDictionaryIndices(ReadOnlySpan<byte> data, int row, int count)
    {
        if (_dictionary is null)
        {
            throw Fail("dictionary-encoded page without a dictionary page");
        }

        if (count == 0)
        {
            return;
        }

        if (data.IsEmpty || data[0] > 32)
        {
            throw Fail("dictionary index bit width is missing or over 32");
        }

        var bitWidth = data[0];
        var runs = data[1..];
        var indices = ArrayPool<int>.Shared.Rent(count);
        try
        {
            if (RleHybrid.CountValues(runs, bitWidth, count) < count || !RleHybrid.Decode(runs, bitWidth, indices.AsSpan(0, count)))
            {
                throw Fail("dictionary indices end early or are malformed");
            }

            for (var i = 0; i < count; i++)
            {
                if ((uint)indices[i] >= (uint)_dictionaryCount)
                {
                    throw Fail("dictionary index out of range");
                }
            }

            var idx = indices.AsSpan(0, count);
            switch (_dictionary)
            {
                case bool[] d:
                    Gather(d, idx, _booleans.AsSpan(row, count));
                    break;
                case int[] d:
                    Gather(d, idx, _ints.AsSpan(row, count));
                    break;
                case long[] d:
                    Gather(d, idx, _longs.AsSpan(row, count));
                    break;
                case float[] d:
                    Gather(d, idx, _floats.AsSpan(row, count));
                    break;
                case double[] d:
                    Gather(d, idx, _doubles.AsSpan(row, count));
                    break;
                case string?[] d:
                    Gather(d, idx, _strings.AsSpan(row, count));
                    break;
                default:
                    throw Fail("dictionary of an unexpected type");
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(indices);
        }
    }

    private static void Gather<T>(T[] dictionary, ReadOnlySpan<int> indices, Span<T> output)
    {
        for (var i = 0; i < indices.Length; i++)
        {
            output[i] = dictionary[indices[i]];
        }
    }

    private ParquetColumnData Finish()
    {
        var column = _layout.Column;
        switch (_layout.Conversion)
        {
            case ValueConversion.FloatToDouble:
                _doubles = Array.ConvertAll(_floats!, f => (double)f);
                _floats = null;
                break;
            case ValueConversion.MillisToMicros:
                for (var i = 0; i < _longs!.Length; i++)
                {
                    _longs[i] = _longs[i] is > long.MaxValue / 1000 or < long.MinValue / 1000
                        ? throw Fail($"timestamp in column '{column.Name}' overflows microseconds")
                        : _longs[i] * 1000;
                }

                break;
            case ValueConversion.NanosToMicros:
                for (var i = 0; i < _longs!.Length; i++)
                {
                    _longs[i] = FloorDiv(_longs[i], 1000);
                }

                break;
            case ValueConversion.UnsignedInt32:
                _longs = Array.ConvertAll(_ints!, v => (long)(uint)v);
                _ints = null;
                break;
            default:
                break;
        }

        return new ParquetColumnData(column, _rows, _nulls, _booleans, _ints, _longs, _doubles, _strings);
    }

    private static long FloorDiv(long value, long divisor) => value >= 0 ? value / divisor : ((value + 1) / divisor) - 1;
}
