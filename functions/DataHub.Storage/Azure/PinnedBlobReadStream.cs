using Azure;
using DataHub.Core.Storage;

namespace DataHub.Storage.Azure;

/// <summary>
/// The SDK's seekable blob read stream, opened pinned to one version (every ranged read is If-Match): a read after the blob
/// changed or vanished fails with the store contract's <see cref="ObjectChangedException"/>, never a mix of two versions.
/// </summary>
internal sealed class PinnedBlobReadStream(Stream inner, string path) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => inner.Length;

    public override long Position { get => inner.Position; set => inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        try
        {
            return inner.Read(buffer);
        }
        catch (Exception ex) when (Translate(ex) is { } mapped)
        {
            throw mapped;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex) is { } mapped)
        {
            throw mapped;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

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

    // 412: the pinned version was replaced; 404: it was deleted. Either way the version being read is gone. 403: the app's
    // role was taken away part-way, refused as the open would have been.
    private Exception? Translate(Exception exception) => exception switch
    {
        RequestFailedException { Status: 412 or 404 } => new ObjectChangedException(path),
        _ when StorageFailure.IsAccessDenied(exception) => StorageFailure.Denied(exception, path),
        _ when StorageFailure.IsRequestFailure(exception) => StorageFailure.For(exception, "read", path),
        _ => null,
    };
}
