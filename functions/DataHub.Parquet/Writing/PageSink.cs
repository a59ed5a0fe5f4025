using System.IO.Compression;
using DataHub.Parquet.Format;
using DataHub.Parquet.Thrift;

namespace DataHub.Parquet.Writing;

/// <summary>Compresses pages and appends them, with their headers, to the output; counts file offsets itself so the output need not seek.</summary>
internal sealed class PageSink(Stream output, ParquetCompression compression, bool checksums) : IDisposable
{
    private readonly ByteBuffer _header = new(256);
    private readonly ByteBuffer _compressed = new(64 * 1024);
    private readonly SnappyEncoder _snappy = new();

    public Codec Codec { get; } = compression switch
    {
        ParquetCompression.Snappy => Codec.Snappy,
        ParquetCompression.Gzip => Codec.Gzip,
        _ => Codec.Uncompressed,
    };

    public long Position { get; private set; }

    public long ChunkCompressedBytes { get; private set; }

    public long ChunkUncompressedBytes { get; private set; }

    public void BeginChunk()
    {
        ChunkCompressedBytes = 0;
        ChunkUncompressedBytes = 0;
    }

    public void WriteRaw(ReadOnlySpan<byte> bytes)
    {
        output.Write(bytes);
        Position += bytes.Length;
    }

    public void WritePage(PageType type, ByteBuffer body, int numValues, Format.Encoding encoding)
    {
        var header = new PageHeader { Type = type, NumValues = numValues, Encoding = encoding };
        Emit(header, body.Span, ReadOnlySpan<byte>.Empty, Compress(body.Span));
    }

    /// <summary>A data page v2: the definition levels (the body's first <paramref name="levelsLength"/> bytes) stay uncompressed.</summary>
    public void WritePageV2(ByteBuffer body, int levelsLength, int numValues, int numNulls, Format.Encoding encoding)
    {
        var header = new PageHeader
        {
            Type = PageType.DataPageV2,
            NumValues = numValues,
            NumNulls = numNulls,
            NumRows = numValues,
            Encoding = encoding,
            DefinitionLevelsLength = levelsLength,
        };
        var levels = body.Span[..levelsLength];
        Emit(header, body.Span, levels, Compress(body.Span[levelsLength..]));
    }

    private void Emit(PageHeader header, ReadOnlySpan<byte> uncompressed, ReadOnlySpan<byte> levels, ReadOnlySpan<byte> values)
    {
        header.UncompressedSize = uncompressed.Length;
        header.CompressedSize = levels.Length + values.Length;
        if (checksums)
        {
            header.Crc = unchecked((int)Crc32.Compute(levels, values));
        }

        _header.Clear();
        header.Write(new CompactWriter(_header));
        WriteRaw(_header.Span);
        WriteRaw(levels);
        WriteRaw(values);
        ChunkCompressedBytes += _header.Length + header.CompressedSize;
        ChunkUncompressedBytes += _header.Length + uncompressed.Length;
    }

    public void Dispose()
    {
        _header.Dispose();
        _compressed.Dispose();
    }

    private ReadOnlySpan<byte> Compress(ReadOnlySpan<byte> body)
    {
        switch (Codec)
        {
            case Codec.Snappy:
                {
                    _compressed.Clear();
                    var written = _snappy.Encode(body, _compressed.GetSpan(SnappyEncoder.MaxLength(body.Length)));
                    _compressed.Advance(written);
                    return _compressed.Span;
                }
            case Codec.Gzip:
                {
                    _compressed.Clear();
                    using (var gzip = new GZipStream(new BufferStream(_compressed), CompressionLevel.Optimal, leaveOpen: false))
                    {
                        gzip.Write(body);
                    }

                    return _compressed.Span;
                }

            default:
                return body;
        }
    }

    /// <summary>A write-only stream appending to a <see cref="ByteBuffer"/>, so GZIP output lands in a pooled buffer.</summary>
    private sealed class BufferStream(ByteBuffer target) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => target.Length;

        public override long Position
        {
            get => target.Length;
            set => throw new NotSupportedException();
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => target.Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer) => target.Write(buffer);
    }
}
