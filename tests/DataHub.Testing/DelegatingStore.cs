using DataHub.Core.Ingestion;
using DataHub.Core.Storage;

namespace DataHub.Testing;

/// <summary>Passes every call to another store; tests override the calls they want to observe or break.</summary>
public class DelegatingStore(IObjectStore inner) : IObjectStore, IPartnerLandings
{
    /// <inheritdoc />
    public virtual Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken) => inner.GetAsync(path, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken) => inner.OpenReadAsync(path, ifMatchETag, cancellationToken);

    /// <inheritdoc />
    public virtual IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    /// <inheritdoc />
    /// <remarks>
    /// The sweep lists landing here, so a wrapped store that keeps partners apart keeps them apart through this one too: a
    /// test that overrides <see cref="ListAsync"/> to observe or break the sweep's listing of such a store overrides this as
    /// well. Over any other store it is <see cref="ListAsync"/> of landing/, whose refusal fails the listing, as the sweep
    /// lists such a store itself.
    /// </remarks>
    public virtual IAsyncEnumerable<StoredObject> ListLandingAsync(Action<string, ObjectUnreachableException> refused, CancellationToken cancellationToken) =>
        inner is IPartnerLandings partners ? partners.ListLandingAsync(refused, cancellationToken) : ListAsync(LandingPath.Container + "/", cancellationToken);

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
