namespace DataHub.Core.Storage;

/// <summary>The hub's containers (landing, quarantine, secure, published, audit) as one store of objects addressed by path.</summary>
/// <remarks>
/// A path is "{container}/{name}", forward slashes, e.g. "landing/police/police-da-incidents/jan.csv".
/// Embedded mode maps it to a folder tree; Azure maps the first segment to a blob container.
/// </remarks>
public interface IObjectStore
{
    /// <summary>The object's properties, or null when there is no object at the path.</summary>
    Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken);

    /// <summary>Opens the object for reading. With <paramref name="ifMatchETag"/>, fails with <see cref="ObjectChangedException"/> if it has changed.</summary>
    /// <exception cref="ObjectNotFoundException">No object at the path.</exception>
    Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken);

    /// <summary>Every object whose path starts with <paramref name="prefix"/>, in ordinal path order.</summary>
    IAsyncEnumerable<StoredObject> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>
    /// Writes an object atomically: readers see the previous object (or none) until <paramref name="write"/> returns
    /// successfully, then the whole new one. If <paramref name="write"/> throws, nothing is committed.
    /// </summary>
    /// <exception cref="ObjectExistsException">The object exists and <see cref="WriteOptions.Overwrite"/> is false.</exception>
    Task<StoredObject> WriteAsync(string path, Func<Stream, CancellationToken, Task> write, WriteOptions options, CancellationToken cancellationToken);

    /// <summary>Deletes the object; false when there was none. With <paramref name="ifMatchETag"/>, only if unchanged.</summary>
    Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken);

    /// <summary>Copies an object to a new path (overwriting), keeping its metadata.</summary>
    Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken);
}

/// <summary>An object's properties: where it is, how long, its version tag and its metadata.</summary>
public sealed record StoredObject(
    string Path,
    long Length,
    string ETag,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> Metadata);

/// <summary>How <see cref="IObjectStore.WriteAsync"/> treats an existing object, and the metadata to stamp.</summary>
public sealed record WriteOptions(bool Overwrite = true, IReadOnlyDictionary<string, string>? Metadata = null)
{
    /// <summary>Overwrite any existing object, no metadata.</summary>
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
