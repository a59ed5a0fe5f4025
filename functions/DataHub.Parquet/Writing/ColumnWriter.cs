using DataHub.Parquet.Format;

namespace DataHub.Parquet.Writing;

/// <summary>Buffers one column of the current row group and writes it as a column chunk: optional dictionary page, then data pages.</summary>
internal abstract class ColumnWriter(ParquetColumn column, PhysicalType physical, ParquetWriterOptions options) : IDisposable
{
    /// <summary>Pages hold at most this many rows so a reader never needs huge per-page buffers.</summary>
    private const int MaxPageRows = 1 << 20;

    /// <summary>After this many values a column decides, once per file, whether its dictionary pays for itself.</summary>
    protected const int DictionaryTrialValues = 1024;

    private readonly PooledList<byte> _definitions = new();

    public ParquetColumn Column { get; } = column;

    public PhysicalType Physical { get; } = physical;

    public int Rows { get; private set; }

    public int Nulls { get; private set; }

    protected ParquetWriterOptions Options { get; } = options;

    /// <summary>Dictionary indices of the buffered values, when dictionary-encoded.</summary>
    protected PooledList<int> Indices { get; } = new();

    protected int Values => Rows - Nulls;

    protected abstract bool IsDictionary { get; }

    protected abstract int DictionaryCount { get; }

    public void AppendNull()
    {
        _definitions.Add(0);
        Rows++;
        Nulls++;
    }

    /// <summary>Writes the buffered values as one column chunk and clears the buffers for the next row group.</summary>
    public ColumnChunk WriteChunk(PageSink sink, ByteBuffer body)
    {
        var meta = new ColumnMetaData
        {
            Type = Physical,
            Codec = sink.Codec,
            NumValues = Rows,
        };
        meta.Path.Add(Column.Name);
        meta.Encodings.Add(Format.Encoding.Plain);
        meta.Encodings.Add(Format.Encoding.Rle);
        sink.BeginChunk();
        var chunkStart = sink.Position;
        if (IsDictionary)
        {
            meta.Encodings.Add(Format.Encoding.RleDictionary);
            meta.DictionaryPageOffset = sink.Position;
            body.Clear();
            WriteDictionary(body);
            sink.WritePage(PageType.DictionaryPage, body, DictionaryCount, Format.Encoding.Plain);
        }

        meta.DataPageOffset = sink.Position;
        WriteDataPages(sink, body);
        meta.TotalCompressedSize = sink.ChunkCompressedBytes;
        meta.TotalUncompressedSize = sink.ChunkUncompressedBytes;
        meta.Statistics = ComputeStatistics();
        meta.Statistics.NullCount = Nulls;
        Clear();
        return new ColumnChunk { FileOffset = chunkStart, MetaData = meta };
    }

    public virtual void Dispose()
    {
        _definitions.Dispose();
        Indices.Dispose();
    }

    protected void MarkDefined()
    {
        if (Column.Nullable)
        {
            _definitions.Add(1);
        }

        Rows++;
    }

    /// <summary>
    /// True when the dictionary so far (its entries plus an index per value) is no smaller than the values written PLAIN:
    /// mostly distinct values such as tokens or line numbers, where hashing every value buys nothing.
    /// </summary>
    protected bool DictionaryDoesNotPay(long dictionaryBytes, long plainBytes)
    {
        var indexBytes = ((long)Values * Math.Max(1, RleHybrid.BitWidth(DictionaryCount - 1)) / 8) + 1;
        return dictionaryBytes + indexBytes >= plainBytes;
    }

    /// <summary>The end (exclusive) of the values the page starting at <paramref name="start"/> should hold.</summary>
    protected abstract int PageValueEnd(int start);

    protected abstract void WritePlain(int start, int end, ByteBuffer output);

    protected abstract void WriteDictionary(ByteBuffer output);

    protected abstract StatisticsData ComputeStatistics();

    protected virtual void ClearValues()
    {
    }

    private void WriteDataPages(PageSink sink, ByteBuffer body)
    {
        var definitions = _definitions.Span;
        var bitWidth = Math.Max(1, RleHybrid.BitWidth(DictionaryCount - 1));
        var row = 0;
        var value = 0;
        do
        {
            var valueEnd = IsDictionary ? Math.Min(Values, value + Options.PageBytes) : PageValueEnd(value);
            int rowEnd;
            if (Column.Nullable)
            {
                rowEnd = row;
                var count = value;
                while (rowEnd < Rows && rowEnd - row < MaxPageRows)
                {
                    if (definitions[rowEnd] == 1)
                    {
                        if (count == valueEnd)
                        {
                            break;
                        }

                        count++;
                    }

                    rowEnd++;
                }

                valueEnd = count;
            }
            else
            {
                valueEnd = Math.Min(valueEnd, value + MaxPageRows);
                rowEnd = row + (valueEnd - value);
            }

            body.Clear();
            var v2 = Options.DataPageVersion == 2;
            if (Column.Nullable)
            {
                // Version 1 prefixes the levels with their length; version 2 puts it in the page header.
                var lengthAt = body.Length;
                if (!v2)
                {
                    body.WriteInt32(0);
                }

                RleHybrid.Encode(definitions[row..rowEnd], 1, body);
                if (!v2)
                {
                    body.PatchInt32(lengthAt, body.Length - lengthAt - 4);
                }
            }

            var levelsLength = body.Length;

            if (IsDictionary)
            {
                body.Write((byte)bitWidth);
                RleHybrid.Encode<int>(Indices.Span[value..valueEnd], bitWidth, body);
            }
            else
            {
                WritePlain(value, valueEnd, body);
            }

            var encoding = IsDictionary ? Format.Encoding.RleDictionary : Format.Encoding.Plain;
            if (v2)
            {
                sink.WritePageV2(body, levelsLength, rowEnd - row, rowEnd - row - (valueEnd - value), encoding);
            }
            else
            {
                sink.WritePage(PageType.DataPage, body, rowEnd - row, encoding);
            }

            row = rowEnd;
            value = valueEnd;
        }
        while (row < Rows);
    }

    private void Clear()
    {
        _definitions.Clear();
        Indices.Clear();
        Rows = 0;
        Nulls = 0;
        ClearValues();
    }
}
