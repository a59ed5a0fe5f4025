using System.Security.Cryptography;

namespace DataHub.Parquet;

/// <summary>A checksum over a file's row groups (every byte before the footer) and its layout, kept in its key-value metadata.</summary>
/// <remarks>Parquet.Net writes no page checksums, so a damaged page would decode to wrong values without complaint, and a
/// damaged footer could describe other columns or fewer rows. The writer records SHA-256 over the bytes before the footer
/// and a text of the schema and row-group sizes; the reader recomputes it from what it read and refuses a mismatch. Files
/// from other writers carry none and are not checked.</remarks>
internal static class ContentHash
{
    /// <summary>The metadata key.</summary>
    public const string Key = "datahub.content_sha256";

    /// <summary>The checksum of a file from the hash of its bytes before the footer, its columns and its row groups' row counts.</summary>
    public static string Of(string dataSha256, ParquetSchema schema, IEnumerable<long> rowGroupRows)
    {
        var layout = string.Join(';', schema.Columns.Select(c => $"{c.Name}:{c.Type}:{(c.Nullable ? "optional" : "required")}"))
            + "|" + string.Join(',', rowGroupRows);
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(dataSha256 + "|" + layout)));
    }

    /// <summary>SHA-256 (lowercase hex) of the first <paramref name="length"/> bytes of <paramref name="file"/>.</summary>
    public static async Task<string> OfAsync(Stream file, long length, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            file.Position = 0;
            for (var left = length; left > 0;)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, left)), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    throw new EndOfStreamException("the file ended early");
                }

                hash.AppendData(buffer, 0, read);
                left -= read;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}

/// <summary>The output as the library writes it: passed through unchanged, hashed on the way (see <see cref="ContentHash"/>).</summary>
internal sealed class HashingOutput(Stream inner) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public override bool CanRead => false;

    // Not seekable: the library then counts the position itself and never seeks.
    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Bytes written so far.</summary>
    public long Bytes { get; private set; }

    /// <summary>SHA-256 (lowercase hex) of everything written so far.</summary>
    public string Checksum() => Convert.ToHexStringLower(_hash.GetCurrentHash());

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        Bytes += buffer.Length;
        inner.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        Bytes += buffer.Length;
        return inner.WriteAsync(buffer, cancellationToken);
    }

    public override void WriteByte(byte value) => Write([value]);

    // The library flushes between pages; passing that on is harmless only because the store's pending stream publishes on commit alone.
    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A finished Parquet file as written: its size and the SHA-256 (lowercase hex) of all its bytes.</summary>
public sealed record WrittenFile(long Bytes, string Sha256);
