using Microsoft.Win32.SafeHandles;

namespace DataHub.Storage.Local;

/// <summary>
/// A second reader of a landed file's open handle (<see cref="UnchangedFileStream.AnotherReader"/>): positional reads with a
/// position of its own, checked after every read against the version pinned, as the first reader's are.
/// </summary>
internal sealed class PinnedFileReader : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly (long Length, DateTime Written) _version;
    private long _position;
    private bool _released;

    /// <summary>Holds <paramref name="handle"/> open until this reader is disposed, whoever else closes it meanwhile.</summary>
    public PinnedFileReader(SafeFileHandle handle, string path, (long Length, DateTime Written) version)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        _handle = handle;
        _path = path;
        _version = version;
    }

    public override bool CanRead => !_released;

    public override bool CanSeek => !_released;

    public override bool CanWrite => false;

    public override long Length => _version.Length;

    public override long Position { get => _position; set => _position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        var read = RandomAccess.Read(_handle, buffer, _position);
        return Advanced(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_released, this);
        var read = await RandomAccess.ReadAsync(_handle, buffer, _position, cancellationToken).ConfigureAwait(false);
        return Advanced(read);
    }

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _version.Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (!_released)
        {
            _released = true;
            _handle.DangerousRelease();
        }

        base.Dispose(disposing);
    }

    // As UnchangedFileStream's reads: checked after the read, so no byte of a new version is handed on.
    private int Advanced(int read)
    {
        UnchangedFileStream.EnsureUnchanged(_handle, _version, _path);
        _position += read;
        return read;
    }
}
