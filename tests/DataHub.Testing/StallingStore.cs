using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>The store operations a <see cref="StallingStore"/> can hold a worker at.</summary>
public enum StoreStep
{
    /// <summary>Just before a delete is sent.</summary>
    Delete,

    /// <summary>Just before a write is committed (made visible).</summary>
    Commit,
}

/// <summary>A store that holds its worker (<see cref="Stall"/>) just before the first <see cref="StoreStep"/> on a path <paramref name="matches"/> accepts; otherwise the inner store.</summary>
public sealed class StallingStore(IObjectStore inner, StoreStep step, Func<string, bool> matches, Stall stall) : IObjectStore
{
    /// <inheritdoc />
    public Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.OpenReadAsync(path, ifMatchETag, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc />
    public async Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        var write = await inner.BeginWriteAsync(path, options, cancellationToken).ConfigureAwait(false);
        return step == StoreStep.Commit && matches(path) ? new HeldWrite(write, stall) : write;
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        if (step == StoreStep.Delete && matches(path))
        {
            await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return await inner.DeleteAsync(path, ifMatchETag, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken) => inner.CopyAsync(sourcePath, destinationPath, cancellationToken);

    private sealed class HeldWrite(IObjectWrite inner, Stall stall) : IObjectWrite
    {
        public string Path => inner.Path;

        public Stream Content => inner.Content;

        public async Task<StoredObject> CommitAsync(CancellationToken cancellationToken)
        {
            await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
            return await inner.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
