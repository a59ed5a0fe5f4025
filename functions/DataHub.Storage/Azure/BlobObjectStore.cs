using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using DataHub.Core.Storage;

namespace DataHub.Storage.Azure;

/// <summary>The hub's object store on Azure Blob storage: the first path segment is the container, the rest the blob name.</summary>
public sealed class BlobObjectStore : IObjectStore
{
    private readonly BlobRestClient _client;

    /// <summary>Creates the store for an account.</summary>
    public BlobObjectStore(StorageAccount account, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        _client = new BlobRestClient(account, options ?? new StorageClientOptions());
    }

    /// <summary>Creates the hub's containers if they are missing (deployment creates them in Azure; Azurite starts empty).</summary>
    public async Task EnsureContainersAsync(CancellationToken cancellationToken)
    {
        foreach (var container in AzureNames.Containers)
        {
            await _client.CreateContainerIfNotExistsAsync(container, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        var (container, name) = Split(path);
        var properties = await _client.GetPropertiesAsync(container, name, cancellationToken).ConfigureAwait(false);
        return properties is null ? null : ToStored(properties);
    }

    /// <inheritdoc />
    public async Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        var (container, name) = Split(path);
        var (condition, content, properties) = await _client.DownloadAsync(container, name, ifMatchETag, cancellationToken).ConfigureAwait(false);
        return condition switch
        {
            BlobCondition.Ok => new BlobReadStream(_client, path, properties!, content!),
            BlobCondition.NotFound => throw new ObjectNotFoundException(path),
            _ => throw new ObjectChangedException(path),
        };
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var slash = prefix.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            await foreach (var blob in _client.ListBlobsAsync(prefix[..slash], prefix[(slash + 1)..], cancellationToken).ConfigureAwait(false))
            {
                yield return ToStored(blob);
            }

            yield break;
        }

        // A prefix within the container names: every blob of every matching container, containers in name order.
        var containers = new List<string>();
        await foreach (var container in _client.ListContainersAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            containers.Add(container);
        }

        containers.Sort(StringComparer.Ordinal);
        foreach (var container in containers)
        {
            await foreach (var blob in _client.ListBlobsAsync(container, string.Empty, cancellationToken).ConfigureAwait(false))
            {
                yield return ToStored(blob);
            }
        }
    }

    /// <inheritdoc />
    public async Task<StoredObject> WriteAsync(string path, Func<Stream, CancellationToken, Task> write, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentNullException.ThrowIfNull(options);
        var (container, name) = Split(path);
        var stream = new BlockUploadStream(_client, container, name);
        await using (stream.ConfigureAwait(false))
        {
            await write(stream, cancellationToken).ConfigureAwait(false);
            var condition = await stream.CommitAsync(!options.Overwrite, null, options.Metadata, cancellationToken).ConfigureAwait(false);
            if (condition == BlobCondition.ConditionFailed)
            {
                throw new ObjectExistsException(path);
            }
        }

        return await GetAsync(path, cancellationToken).ConfigureAwait(false)
            ?? throw new ObjectNotFoundException(path);
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        var (container, name) = Split(path);
        return await _client.DeleteAsync(container, name, ifMatchETag, cancellationToken).ConfigureAwait(false) switch
        {
            BlobCondition.Ok => true,
            BlobCondition.NotFound => false,
            _ => throw new ObjectChangedException(path),
        };
    }

    /// <inheritdoc />
    /// <remarks>
    /// Download and block upload rather than the service's Copy Blob: it works the same under Shared Key and
    /// managed identity, and the source is pinned to the version read (If-Match), so a copy is never a mix of two versions.
    /// </remarks>
    public async Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var (container, name) = Split(sourcePath);
        var (condition, content, properties) = await _client.DownloadAsync(container, name, null, cancellationToken).ConfigureAwait(false);
        if (condition != BlobCondition.Ok)
        {
            throw new ObjectNotFoundException(sourcePath);
        }

        var source = content!;
        await using (source.ConfigureAwait(false))
        {
            return await WriteAsync(
                destinationPath,
                (target, ct) => source.CopyToAsync(target, ct),
                new WriteOptions(Overwrite: true, Metadata: properties!.Metadata),
                cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string Container, string Name) Split(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == path.Length - 1)
        {
            throw new ArgumentException($"'{path}' is not a '{{container}}/{{name}}' path.", nameof(path));
        }

        return (path[..slash], path[(slash + 1)..]);
    }

    private static StoredObject ToStored(BlobProperties blob) =>
        new(blob.Container + "/" + blob.Name, blob.Length, blob.ETag, blob.LastModified, blob.Metadata);

    /// <summary>
    /// A write-only stream that stages a block each time its buffer fills; nothing is visible until
    /// <see cref="CommitAsync"/> puts the block list (or, for a small object, the whole blob in one request).
    /// </summary>
    private sealed class BlockUploadStream(BlobRestClient client, string container, string name) : Stream
    {
        // A per-write prefix: concurrent writers of the same blob never share block ids in its uncommitted list.
        private readonly string _writeId = Guid.NewGuid().ToString("N");
        private readonly List<string> _blocks = [];
        private byte[] _buffer = new byte[Math.Min(client.Options.BlockSize, 64 * 1024)];
        private int _filled;
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) =>
            WriteAsync(buffer.AsMemory(offset, count), CancellationToken.None).AsTask().GetAwaiter().GetResult();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var blockSize = client.Options.BlockSize;
            while (!buffer.IsEmpty)
            {
                if (_filled == _buffer.Length && _buffer.Length < blockSize)
                {
                    Array.Resize(ref _buffer, Math.Min(blockSize, _buffer.Length * 2));
                }

                var take = Math.Min(buffer.Length, _buffer.Length - _filled);
                buffer[..take].CopyTo(_buffer.AsMemory(_filled));
                _filled += take;
                _length += take;
                buffer = buffer[take..];
                if (_filled == blockSize)
                {
                    await StageAsync(cancellationToken).ConfigureAwait(false);
                }
            }
        }

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task<BlobCondition> CommitAsync(bool createOnly, string? ifMatch, IReadOnlyDictionary<string, string>? metadata, CancellationToken cancellationToken)
        {
            if (_blocks.Count == 0)
            {
                var (single, _) = await client.PutBlobAsync(container, name, _buffer.AsMemory(0, _filled), createOnly, ifMatch, metadata, cancellationToken).ConfigureAwait(false);
                return single;
            }

            if (_filled > 0)
            {
                await StageAsync(cancellationToken).ConfigureAwait(false);
            }

            var (condition, _) = await client.PutBlockListAsync(container, name, _blocks, createOnly, ifMatch, metadata, cancellationToken).ConfigureAwait(false);
            return condition;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        private async Task StageAsync(CancellationToken cancellationToken)
        {
            var id = Convert.ToBase64String(Encoding.ASCII.GetBytes(_writeId + _blocks.Count.ToString("D6", CultureInfo.InvariantCulture)));
            await client.PutBlockAsync(container, name, id, _buffer.AsMemory(0, _filled), cancellationToken).ConfigureAwait(false);
            _blocks.Add(id);
            _filled = 0;
        }
    }
}
