using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>Passes every call to another store; tests override the calls they want to observe or break.</summary>
public class DelegatingStore(IObjectStore inner) : IObjectStore
{
    /// <inheritdoc />
    public virtual Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.OpenReadAsync(path, ifMatchETag, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken) =>
        inner.BeginWriteAsync(path, options, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.DeleteAsync(path, ifMatchETag, cancellationToken);

    /// <inheritdoc />
    public Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken) => inner.CopyAsync(sourcePath, destinationPath, cancellationToken);
}

/// <summary>A store's write seen through another content stream, or with something done around its commit.</summary>
public sealed class WrappedWrite(IObjectWrite inner, Stream? content = null, Func<Func<Task<StoredObject>>, Task<StoredObject>>? commit = null) : IObjectWrite
{
    /// <inheritdoc />
    public string Path => inner.Path;

    /// <inheritdoc />
    public Stream Content => content ?? inner.Content;

    /// <inheritdoc />
    public Task<StoredObject> CommitAsync(CancellationToken cancellationToken) =>
        commit is null ? inner.CommitAsync(cancellationToken) : commit(() => inner.CommitAsync(cancellationToken));

    /// <inheritdoc />
    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
