using DataHub.Core.Storage;

namespace DataHub.Storage.Azure;

/// <summary>
/// A blob's content as a seekable read stream: sequential reads stream one response; a seek (XLSX readers jump to the
/// zip directory at the end) opens a ranged read from the new position. Every ranged read is pinned to the ETag first
/// read, so a blob replaced mid-read fails with <see cref="ObjectChangedException"/> instead of mixing two versions.
/// </summary>
internal sealed class BlobReadStream(BlobRestClient client, string path, BlobProperties properties, Stream initial) : Stream
{
    private Stream? _current = initial;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => properties.Length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position >= Length || buffer.IsEmpty)
        {
            return 0;
        }

        if (_current is null)
        {
            var (condition, content, _) = await client.DownloadAsync(properties.Container, properties.Name, properties.ETag, cancellationToken, _position).ConfigureAwait(false);
            _current = condition switch
            {
                BlobCondition.Ok => content!,
                BlobCondition.NotFound => throw new ObjectNotFoundException(path),
                _ => throw new ObjectChangedException(path),
            };
        }

        var read = await _current.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            throw new IOException($"The read of '{path}' ended at byte {_position} of {Length}.");
        }

        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            SeekOrigin.End => Length + offset,
            _ => throw new ArgumentOutOfRangeException(nameof(origin)),
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            _current?.Dispose();
            _current = null;
            _position = target;
        }

        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current?.Dispose();
            _current = null;
        }

        base.Dispose(disposing);
    }
}
