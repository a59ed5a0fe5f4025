using System.Globalization;
using System.Runtime.CompilerServices;
using DataHub.Core.Storage;

namespace DataHub.Storage.Local;

/// <summary>The hub's containers as folders under an embedded root: "{root}/{container}/{name}".</summary>
/// <remarks>
/// Writes go to a hidden temporary file in the destination folder and are committed by rename, so readers see the old
/// object or the whole new one. ETags are the file's length and last-write time.
/// </remarks>
public sealed class LocalObjectStore : IObjectStore
{
    /// <summary>The containers the hub uses (contract C1).</summary>
    public static IReadOnlyList<string> Containers { get; } = ["landing", "quarantine", "secure", "published", "audit"];

    private const string TempPrefix = ".tmp-";
    private readonly string _root;

    /// <summary>Serves the containers under <paramref name="root"/>, creating their folders.</summary>
    public LocalObjectStore(string root)
    {
        _root = Path.GetFullPath(root);
        foreach (var container in Containers)
        {
            Directory.CreateDirectory(Path.Combine(_root, container));
        }
    }

    /// <summary>The folder on disk for an object path (checked: it cannot leave its container).</summary>
    public string FullPath(string path) => Path.Combine(_root, Path.Combine(Segments(path)));

    /// <inheritdoc />
    public Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(FullPath(path));
        return Task.FromResult(file.Exists ? Describe(path, file) : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        var full = FullPath(path);
        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(path);
        }

        if (ifMatchETag is not null && !string.Equals(ETagOf(new FileInfo(full)), ifMatchETag, StringComparison.Ordinal))
        {
            stream.Dispose();
            throw new ObjectChangedException(path);
        }

        return Task.FromResult<Stream>(stream);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var container = prefix.Split('/', 2)[0];
        var containers = Containers.Where(c => c.StartsWith(container, StringComparison.Ordinal) && (prefix.Length <= c.Length || prefix.StartsWith(c + "/", StringComparison.Ordinal)));
        var found = new List<(string Path, FileInfo File)>();
        foreach (var c in containers)
        {
            var folder = new DirectoryInfo(Path.Combine(_root, c));
            if (!folder.Exists)
            {
                continue;
            }

            foreach (var file in folder.EnumerateFiles("*", SearchOption.AllDirectories))
            {
                if (file.Name.StartsWith(TempPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var relative = c + "/" + Path.GetRelativePath(folder.FullName, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.StartsWith(prefix, StringComparison.Ordinal))
                {
                    found.Add((relative, file));
                }
            }
        }

        foreach (var (path, file) in found.OrderBy(f => f.Path, StringComparer.Ordinal))
        {
            cancellationToken.ThrowIfCancellationRequested();
            file.Refresh();
            if (file.Exists)
            {
                yield return Describe(path, file);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<IObjectWrite> BeginWriteAsync(string path, WriteOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var full = FullPath(path);
        if (!options.Overwrite && File.Exists(full))
        {
            throw new ObjectExistsException(path);
        }

        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temp = Path.Combine(folder, TempPrefix + Guid.NewGuid().ToString("N") + "-" + Path.GetFileName(full));
        return Task.FromResult<IObjectWrite>(new LocalObjectWrite(path, full, temp, options.Overwrite, file => Describe(path, file)));
    }

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        var file = new FileInfo(FullPath(path));
        if (!file.Exists)
        {
            return Task.FromResult(false);
        }

        if (ifMatchETag is not null && !string.Equals(ETagOf(file), ifMatchETag, StringComparison.Ordinal))
        {
            throw new ObjectChangedException(path);
        }

        file.Delete();
        return Task.FromResult(true);
    }

    /// <inheritdoc />
    public async Task<StoredObject> CopyAsync(string sourcePath, string destinationPath, CancellationToken cancellationToken)
    {
        var source = await GetAsync(sourcePath, cancellationToken).ConfigureAwait(false) ?? throw new ObjectNotFoundException(sourcePath);
        return await this.WriteAsync(
            destinationPath,
            async (output, ct) =>
            {
                await using var input = await OpenReadAsync(sourcePath, source.ETag, ct).ConfigureAwait(false);
                await input.CopyToAsync(output, ct).ConfigureAwait(false);
            },
            WriteOptions.Default,
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Splits and checks an object path: a known container, then non-empty names with no "." or ".." and no backslash.</summary>
    /// <exception cref="ArgumentException">The path could address something outside its container.</exception>
    public static string[] Segments(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = path.Split('/');
        if (segments.Length < 2 || !Containers.Contains(segments[0], StringComparer.Ordinal))
        {
            throw new ArgumentException($"An object path must start with one of the containers ({string.Join(", ", Containers)}) and name an object.", nameof(path));
        }

        foreach (var segment in segments)
        {
            if (segment.Length == 0 || segment is "." or ".." || segment.IndexOfAny(['\\', '\0', ':']) >= 0)
            {
                throw new ArgumentException("An object path may not contain empty, '.' or '..' segments, backslashes, colons or NUL characters.", nameof(path));
            }
        }

        return segments;
    }

    private static string ETagOf(FileInfo file) =>
        "\"" + file.Length.ToString("x", CultureInfo.InvariantCulture) + "-" + file.LastWriteTimeUtc.Ticks.ToString("x", CultureInfo.InvariantCulture) + "\"";

    private static StoredObject Describe(string path, FileInfo file) =>
        new(path, file.Length, ETagOf(file), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero));
}
