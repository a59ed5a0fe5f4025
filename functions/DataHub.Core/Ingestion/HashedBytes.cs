using DataHub.Core.Storage;

namespace DataHub.Core.Ingestion;

/// <summary>
/// A landed file's content as it was hashed: a read-only view of the first bytes of its open handle, as many as were
/// hashed. A writer still appending to the file in place (same handle, more bytes) cannot add rows to the batch, or bytes
/// to its archived or quarantined copy, that its SHA-256 does not cover.
/// </summary>
internal sealed class HashedBytes(Stream inner, long length) : Stream
{
    /// <summary>A second reader of the same hashed bytes, with a position of its own; null when the store's stream cannot give one.</summary>
    public HashedBytes? AnotherReader() => inner is IPinnedRead pinned ? new HashedBytes(pinned.AnotherReader(), length) : null;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => inner.Read(buffer[..Within(buffer.Length)]);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer[..Within(buffer.Length)], cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) =>
        inner.Seek(origin == SeekOrigin.End ? length + offset : offset, origin == SeekOrigin.End ? SeekOrigin.Begin : origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // How much of a read of `wanted` bytes lies within the hashed length from the current position.
    private int Within(int wanted) => (int)Math.Clamp(length - inner.Position, 0, wanted);
}
