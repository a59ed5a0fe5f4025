using System.Globalization;
using System.Text;
using Azure;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using DataHub.Core.Storage;

namespace DataHub.Storage.Azure;

/// <summary>
/// A blob being written as a block blob: each time the buffer fills, a block is staged (uncommitted blocks are invisible);
/// <see cref="CommitAsync"/> stages the rest and commits the block list, or puts a small blob whole in one request. A
/// flush commits nothing, and an abandoned write leaves only uncommitted blocks, which the service discards.
/// </summary>
internal sealed class BlobObjectWrite : IObjectWrite
{
    private readonly BlockBlobClient _blob;
    private readonly bool _overwrite;
    private readonly string? _ifMatch;
    private readonly IReadOnlyDictionary<string, string> _metadata;
    private readonly BlockStream _content;
    private bool _done;

    public BlobObjectWrite(BlockBlobClient blob, string path, WriteOptions options, int blockSize)
    {
        _blob = blob;
        Path = path;
        _overwrite = options.Overwrite;
        _ifMatch = options.IfMatch;
        _metadata = options.Metadata ?? new Dictionary<string, string>();
        _content = new BlockStream(blob, path, blockSize);
    }

    public string Path { get; }

    public Stream Content => _content;

    public async Task<StoredObject> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;

        // Create-only: the service refuses the commit if a blob has appeared at the path meanwhile; conditioned on a
        // version, if the blob is no longer that version.
        var conditions = !_overwrite ? new BlobRequestConditions { IfNoneMatch = ETag.All }
            : _ifMatch is { } version ? new BlobRequestConditions { IfMatch = new ETag(version) }
            : null;

        // The metadata is set by the same request that makes the blob visible: never a blob without it.
        var metadata = MetadataNames.ToBlob(_metadata);
        try
        {
            BlobContentInfo committed;
            if (_content.Blocks.Count == 0)
            {
                using var whole = _content.Buffered();
                committed = (await _blob.UploadAsync(whole, new BlobUploadOptions { Conditions = conditions, Metadata = metadata }, cancellationToken).ConfigureAwait(false)).Value;
            }
            else
            {
                await _content.StageRestAsync(cancellationToken).ConfigureAwait(false);
                committed = (await _blob.CommitBlockListAsync(_content.Blocks, new CommitBlockListOptions { Conditions = conditions, Metadata = metadata }, cancellationToken).ConfigureAwait(false)).Value;
            }

            return new StoredObject(Path, _content.Length, BlobObjectStore.TagOf(committed.ETag), committed.LastModified, _metadata);
        }
        catch (RequestFailedException ex) when (!_overwrite && ex.Status is 409 or 412)
        {
            throw new ObjectExistsException(Path);
        }
        catch (RequestFailedException ex) when (_ifMatch is not null && ex.Status is 404 or 412)
        {
            throw new ObjectChangedException(Path);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "write", Path);
        }
        finally
        {
            _content.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _done = true;
        _content.Release();
        return ValueTask.CompletedTask;
    }

    /// <summary>The write-only stream: buffers up to a block, stages full blocks, never commits.</summary>
    private sealed class BlockStream(BlockBlobClient blob, string path, int blockSize) : Stream
    {
        // A per-write prefix, so concurrent writers of one blob never share a block id in its uncommitted list.
        private readonly string _writeId = Guid.NewGuid().ToString("N");
        private byte[] _buffer = new byte[Math.Min(blockSize, 64 * 1024)];
        private int _filled;
        private long _length;
        private bool _closed;

        public List<string> Blocks { get; } = [];

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !_closed;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            while (!buffer.IsEmpty)
            {
                var take = Take(buffer.Length);
                buffer[..take].CopyTo(_buffer.AsSpan(_filled));
                Advance(take);
                buffer = buffer[take..];
                if (_filled == blockSize)
                {
                    // The Parquet writer writes synchronously: the SDK's synchronous call, not a blocked async one.
                    Stage();
                }
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!buffer.IsEmpty)
            {
                var take = Take(buffer.Length);
                buffer[..take].CopyTo(_buffer.AsMemory(_filled));
                Advance(take);
                buffer = buffer[take..];
                if (_filled == blockSize)
                {
                    await StageAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        // Nothing is committed before CommitAsync: a flush by a writer must not make a partial object visible.
        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        /// <summary>The whole content, when it never filled a block.</summary>
        public MemoryStream Buffered() => Filled();

        public async Task StageRestAsync(CancellationToken cancellationToken)
        {
            if (_filled > 0)
            {
                await StageAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Drops the buffer once the write is committed or abandoned.</summary>
        public void Release()
        {
            _closed = true;
            _buffer = [];
        }

        // A writer closing the stream ends its writing, not the write: what it wrote is kept for the commit.
        protected override void Dispose(bool disposing)
        {
            _closed = true;
            base.Dispose(disposing);
        }

        private async Task StageAsync(CancellationToken cancellationToken)
        {
            var id = NextId();
            using var block = Filled();
            try
            {
                await blob.StageBlockAsync(id, block, options: null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
            {
                throw StorageFailure.For(ex, "write", path);
            }

            Staged(id);
        }

        private void Stage()
        {
            var id = NextId();
            using var block = Filled();
            try
            {
                blob.StageBlock(id, block, options: null, CancellationToken.None);
            }
            catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
            {
                throw StorageFailure.For(ex, "write", path);
            }

            Staged(id);
        }

        private int Take(int wanted)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_filled == _buffer.Length && _buffer.Length < blockSize)
            {
                // Grow towards a whole block, so small objects never hold a block-sized buffer.
                Array.Resize(ref _buffer, Math.Min(blockSize, _buffer.Length * 2));
            }

            return Math.Min(wanted, _buffer.Length - _filled);
        }

        private void Advance(int count)
        {
            _filled += count;
            _length += count;
        }

        private MemoryStream Filled() => new(_buffer, 0, _filled, writable: false);

        // Block ids must all be the same length within a blob: the write's id and a six-digit block number, base64.
        private string NextId() =>
            Convert.ToBase64String(Encoding.ASCII.GetBytes(_writeId + Blocks.Count.ToString("D6", CultureInfo.InvariantCulture)));

        private void Staged(string id)
        {
            Blocks.Add(id);
            _filled = 0;
        }
    }
}
