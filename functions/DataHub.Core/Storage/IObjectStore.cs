namespace DataHub.Core.Storage;

/// <summary>The hub's containers (landing, quarantine, secure, published, audit) as one store of objects addressed by path.</summary>
/// <remarks>
/// A path is "{container}/{name}", forward slashes, e.g. "landing/police/police-da-incidents/jan.csv".
/// Embedded mode maps it to a folder tree; Azure maps the first segment to a blob container.
/// </remarks>
public interface IObjectStore
{
    /// <summary>The object's properties, or null when there is no object at the path.</summary>
    /// <exception cref="ObjectRefusedException">What is at the path is not a plain object (a link): it is never read.</exception>
    /// <exception cref="ObjectUnreachableException">The store cannot reach it by its name (past a path limit), or the hub may not open it or a folder on its path (<see cref="UnreachableCause.AccessDenied"/>: a local folder's permissions, a blob container's HTTP 403).</exception>
    Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken);

    /// <summary>
    /// Opens the object for reading. With <paramref name="ifMatchETag"/>, fails with <see cref="ObjectChangedException"/> if it
    /// has changed. The stream reads one version whole, or fails with <see cref="ObjectChangedException"/>: never a mix of two.
    /// </summary>
    /// <exception cref="ObjectNotFoundException">No object at the path.</exception>
    /// <exception cref="ObjectRefusedException">What is at the path is not a plain object (a link): it is never read.</exception>
    /// <exception cref="ObjectUnreachableException">The store cannot reach it by its name (past a path limit), or the hub may not open it or a folder on its path (<see cref="UnreachableCause.AccessDenied"/>: a local folder's permissions, a blob container's HTTP 403).</exception>
    Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken);

    /// <summary>
    /// Every object whose path starts with <paramref name="prefix"/>, in ordinal path order. A store that can hold links
    /// (a local folder) lists each link as an entry of its own and never lists through it; reading one is refused. A store
    /// with a path limit (a local folder) lists a folder or file nested past it as an entry of its own, never skipping it
    /// nor failing the listing, and so a folder its user may not open; using one fails with <see cref="ObjectUnreachableException"/>.
    /// </summary>
    /// <exception cref="ObjectUnreachableException">
    /// A folder above the prefix, or the blob container holding it (HTTP 403), may not be opened by the hub: what is under it
    /// cannot be seen, and the listing fails naming the prefix rather than read as empty. On Azure a listing that spans
    /// containers fails whole on any one that refuses it: one partner's landing container refusing the hub fails the
    /// listing of all of landing/ (no entry stands for it, as a local folder's does); <see cref="IPartnerLandings"/> lists
    /// the others.
    /// </exception>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Begins an atomic write: readers see the previous object (or none) until <see cref="IObjectWrite.CommitAsync"/>
    /// returns, then the whole new one. Flushing the content commits nothing; disposing the write uncommitted abandons it,
    /// and nothing of it is ever visible. Several writes may be open at once.
    /// </summary>
    /// <exception cref="ObjectExistsException">The object exists and <see cref="WriteOptions.Overwrite"/> is false (here or at commit).</exception>
    /// <exception cref="ObjectChangedException">At commit: the object is no longer version <see cref="WriteOptions.IfMatch"/>.</exception>
    Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the object; false when there was none. With <paramref name="ifMatchETag"/>, only if unchanged. A link is
    /// removed itself, never what it points to.
    /// </summary>
    /// <exception cref="ObjectChangedException">The object is no longer version <paramref name="ifMatchETag"/>.</exception>
    /// <exception cref="ObjectUnreachableException">The store cannot reach it by its name (past a path limit), or the hub may not open it or a folder on its path (<see cref="UnreachableCause.AccessDenied"/>: a local folder's permissions, a blob container's HTTP 403).</exception>
    Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken);

    /// <summary>Copies an object to a new path (overwriting): the destination gets one version of the source, whole, with its metadata.</summary>
    /// <exception cref="ObjectNotFoundException">No object at the source path.</exception>
    Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken);
}

/// <summary>An object being written: its bytes go to <see cref="Content"/>; <see cref="CommitAsync"/> makes them visible at once.</summary>
/// <remarks>Disposing without a successful commit abandons the write: nothing of it becomes visible.</remarks>
public interface IObjectWrite : IAsyncDisposable
{
    /// <summary>The object's path.</summary>
    string Path { get; }

    /// <summary>The write-only stream for the object's bytes, until commit or abandon.</summary>
    Stream Content { get; }

    /// <summary>Makes the whole object visible and returns it as stored.</summary>
    /// <exception cref="ObjectExistsException">A create-only write found an object already at the path.</exception>
    /// <exception cref="ObjectChangedException">A write conditioned on a version (<see cref="WriteOptions.IfMatch"/>) found another, or none.</exception>
    Task<StoredObject> CommitAsync(CancellationToken cancellationToken);
}

/// <summary>The one-call forms of <see cref="IObjectStore.BeginWriteAsync"/> for content written in one go.</summary>
public static class ObjectStoreWrites
{
    /// <summary>
    /// Writes an object atomically: readers see the previous object (or none) until <paramref name="write"/> returns
    /// successfully, then the whole new one. If <paramref name="write"/> throws, nothing is committed.
    /// </summary>
    /// <exception cref="ObjectExistsException">The object exists and <see cref="WriteOptions.Overwrite"/> is false.</exception>
    public static async Task<StoredObject> WriteAsync(this IObjectStore store, string path, Func<Stream, CancellationToken, Task> write, WriteOptions options, CancellationToken cancellationToken)
    {
        var pending = await store.WriteUncommittedAsync(path, write, options, cancellationToken).ConfigureAwait(false);
        await using (pending.ConfigureAwait(false))
        {
            return await pending.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes an object's content without committing it: nothing of it is visible until the caller commits the returned
    /// write, and disposing it uncommitted abandons it. If <paramref name="write"/> throws, the write is abandoned.
    /// </summary>
    public static async Task<IObjectWrite> WriteUncommittedAsync(this IObjectStore store, string path, Func<Stream, CancellationToken, Task> write, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(write);
        var pending = await store.BeginWriteAsync(path, options, cancellationToken).ConfigureAwait(false);
        try
        {
            await write(pending.Content, cancellationToken).ConfigureAwait(false);
            return pending;
        }
        catch
        {
            await pending.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}

/// <summary>An object's properties: where it is, how long, its version tag, when it was last written and its metadata.</summary>
/// <remarks>
/// Metadata is a few short name/value pairs the hub stores with an object (a mart file names its batch, partner and source
/// there, so clean-up can tell whose claim an uncommitted file belongs to). Names are the hub's own ("datahub.batch_id").
/// </remarks>
public sealed record StoredObject(string Path, long Length, string ETag, DateTimeOffset LastModified, IReadOnlyDictionary<string, string> Metadata);

/// <summary>How <see cref="IObjectStore.BeginWriteAsync"/> treats an existing object, and the metadata the new one gets.</summary>
/// <param name="Overwrite">False: the write is create-only, refused if an object is at the path.</param>
/// <param name="Metadata">The new object's metadata.</param>
/// <param name="IfMatch">
/// When set, the commit replaces only this version of the object (its ETag) and fails with <see cref="ObjectChangedException"/>
/// on any other, or none: a writer that stalled does not replace what another wrote meanwhile. Blob storage checks it in the
/// request that commits; a local folder checks it under a lock file held until the rename. For overwriting writes; a
/// create-only write already fails on any version.
/// </param>
public sealed record WriteOptions(bool Overwrite = true, IReadOnlyDictionary<string, string>? Metadata = null, string? IfMatch = null)
{
    /// <summary>
    /// The object's folder belongs to one batch's raw archive (its copy, a later delivery's duplicate copy): abandoned, a
    /// store with folders removes the folder again if it made it for this write and nothing is in it, so a batch never
    /// stored leaves no folder named after it. A write beginning there meanwhile makes it again. Not for a folder every
    /// batch writes in (a quarter's mart files), where that would be a race at every abandon.
    /// </summary>
    public bool FolderOfItsOwn { get; init; }

    /// <summary>Overwrite any existing object.</summary>
    public static WriteOptions Default { get; } = new();

    /// <summary>Fail if the object already exists.</summary>
    public static WriteOptions CreateNew { get; } = new(Overwrite: false);
}

/// <summary>Raised when no object exists at a path.</summary>
public sealed class ObjectNotFoundException(string path)
    : Exception($"No object at '{path}'.")
{
    /// <summary>The path that was asked for.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// Raised when what is at a path lies where the store cannot reach it by name (a local folder nested past the OS path
/// limit, which a partner can make in landing), or cannot be opened by the hub's user (a folder or file whose permissions
/// or owner deny it; on Azure, a container the Function App's identity holds no data role on): it can be neither read,
/// moved nor deleted, and is left for an operator.
/// </summary>
/// <param name="path">The path that could not be reached.</param>
/// <param name="cause">Why.</param>
/// <param name="remedy">
/// For <see cref="UnreachableCause.AccessDenied"/>, what an operator grants for the hub to reach it, in the store's own terms
/// (a folder's permission bits, a storage role), as a clause ("give the hub's user … (chmod u+rx …)"); null when the store
/// has none to give. It names no path.
/// </param>
/// <param name="answer">
/// For <see cref="UnreachableCause.AccessDenied"/>, what the store was answered, when it says more than the denial (a service's
/// status and error code, "HTTP 403 AuthorizationFailure", by which an operator tells a role from a firewall); null when none.
/// </param>
public sealed class ObjectUnreachableException(string path, UnreachableCause cause = UnreachableCause.TooDeep, string? remedy = null, string? answer = null)
    : Exception(cause == UnreachableCause.AccessDenied
        ? $"The object, or a folder on its path, cannot be opened by the hub's user (access to it is denied{(answer is null ? string.Empty : ": " + answer)}); it cannot be read, moved or deleted by the hub." + (remedy is null ? string.Empty : $" To fix it, {remedy}.")
        : "The object lies deeper than the file system lets a path reach; it cannot be read, moved or deleted by its name.")
{
    /// <summary>The path that could not be reached (not in the message: a landing path may name a person).</summary>
    public string Path { get; } = path;

    /// <summary>Why it could not be reached.</summary>
    public UnreachableCause Cause { get; } = cause;

    /// <summary>What an operator grants for the hub to reach it, in the store's terms (see the constructor); null when the store gives none.</summary>
    public string? Remedy { get; } = remedy;

    /// <summary>What the store was answered, when it says more than the denial ("HTTP 403 AuthorizationFailure"); null when none.</summary>
    public string? Answer { get; } = answer;
}

/// <summary>Why the store cannot reach what is at a path (<see cref="ObjectUnreachableException"/>).</summary>
public enum UnreachableCause
{
    /// <summary>It lies past the OS path limit.</summary>
    TooDeep,

    /// <summary>The hub's user may not open it, or a folder on its path (its permission bits, owner or ACL deny it; on Azure, HTTP 403).</summary>
    AccessDenied,
}

/// <summary>Raised when an object changed between reading its properties and reading or deleting it.</summary>
public sealed class ObjectChangedException(string path)
    : Exception($"The object at '{path}' changed while it was being read.")
{
    /// <summary>The path whose object changed.</summary>
    public string Path { get; } = path;
}

/// <summary>Raised when a create-only write finds an object already at the path.</summary>
public sealed class ObjectExistsException(string path)
    : Exception($"An object already exists at '{path}'.")
{
    /// <summary>The path that was already taken.</summary>
    public string Path { get; } = path;
}

/// <summary>
/// Raised when what is at a path is not a plain object the store wrote or a partner uploaded (e.g. a symbolic link in a
/// local folder, or a path through one): it is refused unread, so nothing outside the store is ever read, copied or moved.
/// </summary>
public sealed class ObjectRefusedException(string path, string reason)
    : Exception("The object is refused unread: " + reason)
{
    /// <summary>The path that was refused.</summary>
    public string Path { get; } = path;

    /// <summary>Why, in a sentence with no file content.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// A store whose landing/ is kept in places the hub is authorised on one by one (on Azure, a container per partner), so one
/// partner's can refuse the hub while every other's can be listed. A store whose landing is one place need not implement
/// it: a local folder lists a partner's folder its user may not open as an entry of its own, which ingest refuses.
/// </summary>
public interface IPartnerLandings
{
    /// <summary>
    /// What <see cref="IObjectStore.ListAsync"/> lists under landing/, in the same path order, but for each partner whose
    /// landing the hub may not list, on any page of it: that partner is told to <paramref name="refused"/> with the store's
    /// <see cref="UnreachableCause.AccessDenied"/> denial (naming landing/{partner}/, with what the store was answered and
    /// what to grant), nothing it holds is listed, not even what an earlier page gave, and the listing goes on to the next.
    /// A partner's landing is listed whole or not at all.
    /// </summary>
    /// <exception cref="ObjectUnreachableException">What is no one partner's refused the hub (the list of the partners' landings, or the shared landing and its archive): the listing fails whole, as <see cref="IObjectStore.ListAsync"/> does.</exception>
    IAsyncEnumerable<StoredObject> ListLandingAsync(Action<string, ObjectUnreachableException> refused, CancellationToken cancellationToken);
}

/// <summary>
/// A store whose interrupted writes can leave temporary files behind (a local folder when its process is killed): it can
/// remove the ones whose writer has gone. Stores whose uncommitted writes vanish by themselves need not implement it.
/// </summary>
public interface ITemporaryFileSweeper
{
    /// <summary>
    /// Deletes temporary files whose writing process has gone; returns how many. <paramref name="unopenable"/> is told the
    /// path under the store's root (e.g. "landing/partner/feed/folder") of each folder the sweep may not open, and so could
    /// not look in; it is never skipped without a word.
    /// </summary>
    Task<int> SweepAsync(Action<string> unopenable, CancellationToken cancellationToken);
}
