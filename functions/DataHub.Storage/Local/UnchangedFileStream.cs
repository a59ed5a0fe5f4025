using DataHub.Core.Storage;
using Microsoft.Win32.SafeHandles;

namespace DataHub.Storage.Local;

/// <summary>
/// A landed file read through its open handle, checked after every read against the length and last-write time it was
/// opened at: a file rewritten or appended to in place (the same file, so the same handle) fails the read with
/// <see cref="ObjectChangedException"/>, so a reader never gets bytes of two versions (as a blob read pinned by If-Match does).
/// </summary>
/// <remarks>
/// A file replaced by rename is a new file: the handle keeps reading the old one whole, which needs no check. A rewrite
/// that keeps both the length and the last-write time (set back on purpose) is not seen; every ordinary write moves the time.
/// </remarks>
internal sealed class UnchangedFileStream : Stream, IPinnedRead
{
    private readonly FileStream _inner;
    private readonly string _path;
    private readonly long _length;
    private readonly DateTime _written;

    // Taken once, while nothing reads: FileStream's own getter flushes its buffer, which another thread's read must not race.
    private readonly SafeFileHandle _handle;

    private UnchangedFileStream(FileStream inner, string path, long length, DateTime written)
    {
        _inner = inner;
        _handle = inner.SafeFileHandle;
        _path = path;
        _length = length;
        _written = written;
    }

    // The version the handle is open on, in the store's ETag terms: its length and last-write time.
    internal static (long Length, DateTime Written) VersionOf(SafeFileHandle handle) =>
        (RandomAccess.GetLength(handle), File.GetLastWriteTimeUtc(handle));

    /// <summary>Wraps <paramref name="inner"/>, pinned to the version its handle is open on now.</summary>
    public static UnchangedFileStream Pin(FileStream inner, string path)
    {
        var (length, written) = VersionOf(inner.SafeFileHandle);
        return new UnchangedFileStream(inner, path, length, written);
    }

    public override bool CanRead => true;

    /// <inheritdoc />
    public Stream AnotherReader() => new PinnedFileReader(_handle, _path, (_length, _written));

    public override bool CanSeek => _inner.CanSeek;

    public override bool CanWrite => false;

    public override long Length => _length;

    /// <summary>The last-write time (UTC) of the version pinned.</summary>
    public DateTime Written => _written;

    public override long Position { get => _inner.Position; set => _inner.Position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Checked(_inner.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Checked(await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override long Seek(long offset, SeekOrigin origin) => _inner.Seek(offset, origin);

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _inner.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }

    // Checked after the read: a write moves the file's time before its bytes land, so bytes of a new version read here
    // are always caught, and none of them is handed on.
    private int Checked(int read)
    {
        EnsureUnchanged(_inner.SafeFileHandle, (_length, _written), _path);
        return read;
    }

    /// <summary>Fails with <see cref="ObjectChangedException"/> when the file open on <paramref name="handle"/> is no longer at <paramref name="version"/>.</summary>
    internal static void EnsureUnchanged(SafeFileHandle handle, (long Length, DateTime Written) version, string path)
    {
        if (VersionOf(handle) != version)
        {
            throw new ObjectChangedException(path);
        }
    }
}
