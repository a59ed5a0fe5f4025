using System.Buffers.Binary;
using Parquet.Meta;

namespace DataHub.Parquet;

/// <summary>The file as the library reads it: framing checked up front, and no read past the end or beyond a budget.</summary>
/// <remarks>Parquet.Net trusts the offsets, lengths and counts it finds; in a damaged file they can point past the end
/// (where a byte read returns -1, which its varint loop reads as "more bytes follow" for ever) or back to a page already
/// read. Ending the file with an exception and capping the bytes one read may consume turns both into an error.</remarks>
internal sealed class FileGuard : Stream
{
    /// <summary>Footers larger than this are refused rather than read into memory.</summary>
    private const int MaxFooterBytes = 16 * 1024 * 1024;

    private readonly Stream _inner;
    private readonly bool _leaveOpen;
    private readonly long _length;
    private long _budget;

    private FileGuard(Stream inner, bool leaveOpen, long length, int footerLength)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _length = length;
        FooterLength = footerLength;
        StartBudget();
    }

    /// <summary>Bytes of the footer (the file's metadata, before its length and the closing magic bytes).</summary>
    public int FooterLength { get; }

    /// <summary>Bytes before the footer: the magic bytes and the row groups.</summary>
    public long DataLength => _length - 8 - FooterLength;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position { get => _inner.Position; set => _inner.Position = value; }

    /// <summary>Checks the magic bytes at both ends and that the footer fits in the file.</summary>
    public static async Task<FileGuard> OpenAsync(Stream inner, string name, bool leaveOpen, CancellationToken cancellationToken)
    {
        var length = inner.Length;
        if (length < 12)
        {
            throw new ParquetFormatException(name, $"file is {length} bytes, too short to be Parquet");
        }

        var edge = new byte[8];
        inner.Position = 0;
        await inner.ReadExactlyAsync(edge.AsMemory(0, 4), cancellationToken).ConfigureAwait(false);
        if (!edge.AsSpan(0, 4).SequenceEqual("PAR1"u8))
        {
            throw new ParquetFormatException(name, "missing the leading PAR1 magic bytes");
        }

        inner.Position = length - 8;
        await inner.ReadExactlyAsync(edge, cancellationToken).ConfigureAwait(false);
        if (!edge.AsSpan(4).SequenceEqual("PAR1"u8))
        {
            throw new ParquetFormatException(name, "missing the trailing PAR1 magic bytes (truncated or encrypted file?)");
        }

        var footer = BinaryPrimitives.ReadInt32LittleEndian(edge);
        if (footer <= 0 || footer > length - 12 || footer > MaxFooterBytes)
        {
            throw new ParquetFormatException(name, $"footer length {footer} does not fit in a {length}-byte file");
        }

        var bytes = new byte[footer];
        inner.Position = length - 8 - footer;
        await inner.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        try
        {
            FooterCheck.Parse(bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new ParquetFormatException(name, $"malformed footer ({ex.GetType().Name}: {ex.Message})", ex);
        }

        return new FileGuard(inner, leaveOpen, length, footer);
    }

    /// <summary>A guard over bytes in memory, for parsing a footer on its own.</summary>
    public static FileGuard Ending(byte[] bytes) => new(new MemoryStream(bytes, writable: false), leaveOpen: false, bytes.Length, 0);

    /// <summary>Checks the metadata against itself and, for our files, the bytes and layout against the recorded checksum.</summary>
    public async Task CheckAsync(FileMetaData meta, ParquetSchema schema, IReadOnlyDictionary<string, string> metadata, string name, CancellationToken cancellationToken)
    {
        var ours = metadata.TryGetValue(ContentHash.Key, out var expected);
        MetadataCheck.Check(meta, DataLength, ours, name);
        if (ours)
        {
            var data = await ContentHash.OfAsync(_inner, DataLength, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(ContentHash.Of(data, schema, meta.RowGroups.Select(g => g.NumRows)), expected, StringComparison.Ordinal))
            {
                throw new ParquetFormatException(name, "its bytes or layout do not match the checksum in its footer (the file is damaged)");
            }
        }
    }

    /// <summary>Allows the next operation to read the file a few times over, no more.</summary>
    public void StartBudget() => _budget = (4 * _length) + (1024 * 1024);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = _inner.Read(buffer);
        Spend(read);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Spend(read);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int ReadByte()
    {
        var value = _inner.ReadByte();
        if (value < 0)
        {
            throw new EndOfStreamException("read past the end of the file");
        }

        Spend(1);
        return value;
    }

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_leaveOpen)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_leaveOpen)
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }

    private void Spend(int bytes)
    {
        _budget -= bytes;
        if (_budget < 0)
        {
            throw new InvalidDataException("the file's offsets make its pages be read over and over");
        }
    }
}
