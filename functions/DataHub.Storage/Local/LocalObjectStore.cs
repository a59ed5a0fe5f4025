using System.Globalization;
using System.IO.Enumeration;
using System.Runtime.CompilerServices;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;

namespace DataHub.Storage.Local;

/// <summary>The hub's containers as folders under an embedded root: "{root}/{container}/{name}".</summary>
/// <remarks>
/// Writes go to a hidden temporary file in the destination folder (<see cref="LocalObjectWrite"/>) and are committed by
/// rename, so readers see the old object or the whole new one (their modes follow the process's file-creation mask). ETags are
/// the file's length and last-write time, and a read stream is pinned to the version it opened (a rewrite in place fails
/// the next read with <see cref="ObjectChangedException"/>). Metadata lives in a sidecar under "{root}/.metadata" so listings show only
/// objects. Only regular files are objects: a symbolic link anywhere on a path (file, folder, dangling) is listed as
/// itself, never listed through, read, copied or written through (<see cref="ObjectRefusedException"/>); deleting it
/// removes the link alone. Nothing outside the root is ever touched. A folder, file or link nested past the OS path limit (which
/// a partner can make in landing with mkdir in a loop) is listed as itself, never walked into nor skipped, and using it fails
/// with <see cref="ObjectUnreachableException"/>: .NET opens every path whole, from the root, so the limit is the OS's. So is
/// a folder the hub's user may not open, or a name in a folder it may list but not enter (a partner's upload left it mode
/// 000, or owned by another user): listed as itself, never skipped unseen, and using it, or reading a file the user may
/// not read, fails with <see cref="ObjectUnreachableException"/> (<see cref="UnreachableCause.AccessDenied"/>).
/// </remarks>
public sealed class LocalObjectStore : IObjectStore, ITemporaryFileSweeper
{
    /// <summary>What gives the hub's user back what it may not open (<see cref="ObjectUnreachableException.Remedy"/>).</summary>
    public const string AccessRemedy = "give the hub's user read access to it and to the folders on its path, and search access to those folders (chmod u+rx for a folder, u+r for a file)";

    /// <summary>The containers the hub uses (contract C1).</summary>
    public static IReadOnlyList<string> Containers { get; } = ["landing", "quarantine", "secure", "published", "audit"];

    private readonly string _root;
    private readonly LinkGuard _links;
    private readonly MetadataSidecars _metadata;

    /// <summary>Serves the containers under <paramref name="root"/>, creating their folders.</summary>
    public LocalObjectStore(string root)
    {
        _root = Path.GetFullPath(root);
        foreach (var container in Containers)
        {
            Directory.CreateDirectory(Path.Combine(_root, container));
        }

        _links = new LinkGuard(_root);
        _metadata = new MetadataSidecars(Path.Combine(_root, ".metadata"));
    }

    /// <summary>The file on disk for an object path (checked: it cannot leave its container; links are not resolved).</summary>
    public string FullPath(string path) => Path.Combine(_root, Path.Combine(Segments(path)));

    /// <inheritdoc />
    public Task<StoredObject?> GetAsync(string path, CancellationToken cancellationToken)
    {
        var full = Checked(path);
        var file = new FileInfo(full);
        return Task.FromResult(file.Exists ? Describe(path, file) : Unreachable(path, full) is { } unreachable ? throw unreachable : null);
    }

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        var full = Checked(path);
        var file = new FileInfo(full);
        if (!file.Exists)
        {
            throw Unreachable(path, full) ?? (Exception)new ObjectNotFoundException(path);
        }

        // Special files (a FIFO, a device) report no length, and opening a FIFO would wait for a writer for ever: an
        // object of no length is served as empty without being opened.
        if (file.Length == 0)
        {
            return Task.FromResult<Stream>(ETagMatches(file, ifMatchETag) ? new MemoryStream([], writable: false) : throw new ObjectChangedException(path));
        }

        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ObjectNotFoundException(path);
        }
        catch (UnauthorizedAccessException)
        {
            // Its permissions or owner deny the hub's user (.NET's message quotes the raw path: not passed on).
            throw new ObjectUnreachableException(path, UnreachableCause.AccessDenied, AccessRemedy);
        }

        UnchangedFileStream pinned;
        try
        {
            // Checked again through the handle: a link swapped in after the check above is caught here, before a byte is read.
            _links.Verify(stream.SafeFileHandle, full, path);

            // Pinned to the version opened: a rewrite in place fails the next read rather than mixing two versions.
            pinned = UnchangedFileStream.Pin(stream, path);
            if (ifMatchETag is not null && !string.Equals(ETagOf(pinned.Length, pinned.Written), ifMatchETag, StringComparison.Ordinal))
            {
                throw new ObjectChangedException(path);
            }
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return Task.FromResult<Stream>(pinned);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<StoredObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var container = prefix.Split('/', 2)[0];
        var containers = Containers.Where(c => c.StartsWith(container, StringComparison.Ordinal) && (prefix.Length <= c.Length || prefix.StartsWith(c + "/", StringComparison.Ordinal)));
        var found = new List<(string Path, string Full, bool Link, UnopenedFolder Why)>();
        foreach (var c in containers)
        {
            var folder = Path.Combine(_root, c);
            if (!Directory.Exists(folder) || new DirectoryInfo(folder).LinkTarget is not null)
            {
                continue;
            }

            // Walked one folder at a time, each opened once: files and links (to files or folders, or dangling) are entries,
            // real folders are walked into. A folder that cannot be opened (a name not UTF-8, read with U+FFFD; nested past
            // the OS path limit; one the hub's user may not open, which a recursive enumeration either skips without a word
            // or ends on) is an entry itself, for the caller to refuse, rather than skipped unseen; the open that walks a
            // folder is the one that finds it cannot be, so nothing changes between a look and the walk.
            var pending = new Queue<string>([folder]);
            while (pending.TryDequeue(out var current))
            {
                List<(string Full, bool Link, bool Folder)> entries;
                try
                {
                    entries = [.. new FileSystemEnumerable<(string Full, bool Link, bool Folder)>(
                        current,
                        (ref FileSystemEntry e) => (FullPathOf(ref e), (e.Attributes & FileAttributes.ReparsePoint) != 0, e.IsDirectory && (e.Attributes & FileAttributes.ReparsePoint) == 0),
                        new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false })];
                }
                catch (Exception ex) when (WhyUnopened(ex) is { } why)
                {
                    // Why the open failed is taken from the open itself: a second look later could find it fixed (the folder,
                    // and all in it, missing from this listing) or failing for another reason (taken for denied).
                    if (string.Equals(current, folder, StringComparison.Ordinal))
                    {
                        if (why == UnopenedFolder.Gone)
                        {
                            break; // Removed since it was looked for: nothing in it to list.
                        }

                        // Not .NET's message: it quotes the raw path.
                        throw new UnauthorizedAccessException($"The hub's user cannot open its {c} folder under the hub root: give it back read and search access (chmod u+rx), or nothing in it can be listed.");
                    }

                    entries = [];
                    if (!TemporaryFiles.IsTemporary(Path.GetFileName(current)))
                    {
                        Found(current, link: false, why);
                    }
                }
                catch (IOException ex)
                {
                    // Any other failure (a read failing part-way, the system out of open files or memory) is no answer about
                    // the folder: the listing fails, to be retried, rather than miss what it could not read. Not .NET's
                    // message, nor the exception itself: they quote the raw path, which may name a person.
                    throw new IOException($"A folder in the hub's {c} folder could not be read to the end (an I/O error, or the system short of open files or memory); the listing is failed, to be retried.", ex.HResult);
                }

                foreach (var (full, link, isFolder) in entries)
                {
                    if (isFolder)
                    {
                        pending.Enqueue(full);
                    }
                    else if (!TemporaryFiles.IsTemporary(Path.GetFileName(full)))
                    {
                        Found(full, link, UnopenedFolder.None);
                    }
                }
            }

            void Found(string full, bool link, UnopenedFolder why)
            {
                var relative = c + "/" + Path.GetRelativePath(folder, full).Replace(Path.DirectorySeparatorChar, '/');
                if (relative.StartsWith(prefix, StringComparison.Ordinal))
                {
                    found.Add((relative, full, link, why));
                }
                else if ((why is UnopenedFolder.Denied or UnopenedFolder.TooDeep) && prefix.StartsWith(relative + "/", StringComparison.Ordinal))
                {
                    // A folder above what is listed cannot be opened: nothing under it can be seen, and an empty listing
                    // would be taken for nothing there (a feed with no batches). The path is not in the message.
                    throw why == UnopenedFolder.Denied
                        ? new ObjectUnreachableException(prefix, UnreachableCause.AccessDenied, AccessRemedy)
                        : new ObjectUnreachableException(prefix, UnreachableCause.TooDeep);
                }
            }
        }

        // Names not UTF-8 that .NET reads alike (U+FFFD for each bad byte) are one path: listed once, the count in its version.
        foreach (var alike in found.GroupBy(f => f.Path, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var (path, full, link, why) = alike.First();
            cancellationToken.ThrowIfCancellationRequested();
            var file = new FileInfo(full);
            if (why == UnopenedFolder.TooDeep || (why == UnopenedFolder.None && !file.Exists && IsBeyondReach(full)))
            {
                // Nested past the OS path limit (a folder, a file or a link: not even a link's own time can be read there):
                // neither it nor anything in it can be opened, so it is listed for the caller to refuse, never skipped unseen. Its own size and time cannot be read; its folder's (which the listing
                // opened) change when it is removed and made again, so each new one is a new version.
                var written = new DirectoryInfo(Path.GetDirectoryName(full)!).LastWriteTimeUtc;
                yield return Unopenable(path, "beyond-path-limit", written, new DateTimeOffset(written, TimeSpan.Zero));
            }
            else if (!link && !file.Exists && path.Contains(LandingPath.UnreadableNameCharacter, StringComparison.Ordinal))
            {
                // A name that is not valid UTF-8 (a file's or a folder's, with a backslash or not) is read with U+FFFD for
                // each bad byte, and nothing has the name so read: listed for the caller to refuse, never skipped unseen.
                // Not even its size or time can be read by that name; its folder's time and how many entries read alike
                // change whenever one may have been replaced (removed, sent again), so each new upload is a new version.
                var written = new DirectoryInfo(Path.GetDirectoryName(full)!).LastWriteTimeUtc;
                yield return Unopenable(path, "name-not-utf8", written, DateTimeOffset.UnixEpoch, alike.Count().ToString(CultureInfo.InvariantCulture));
            }
            else if (why == UnopenedFolder.Denied || (why == UnopenedFolder.None && !link && !file.Exists && IsDenied(full)))
            {
                // A folder the hub's user may not open, or a name in a folder it may list but not enter: listed for the
                // caller to refuse, never skipped unseen. A folder's own time (or, for a name that cannot even be looked
                // at, its folder's) changes when what is in it does; a fix of its permissions changes the listing itself
                // (what was in it is listed), so a refusal never outlives the fix.
                var own = new DirectoryInfo(full);
                var written = own.Exists ? own.LastWriteTimeUtc : new DirectoryInfo(Path.GetDirectoryName(full)!).LastWriteTimeUtc;
                yield return Unopenable(path, "access-denied", written, new DateTimeOffset(written, TimeSpan.Zero));
            }
            else if (link)
            {
                // The link's own properties (it is never followed); reading it is refused.
                yield return new StoredObject(path, 0, ETagOf(file), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), new Dictionary<string, string>());
            }
            else if (!IsObjectPath(path))
            {
                // A name no object path may have (a partner's "a\b.csv" in landing) is listed, without metadata, for the
                // caller to refuse; it must not end the listing, or it would stop every file after it.
                if (file.Exists)
                {
                    yield return new StoredObject(path, file.Length, ETagOf(file), new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero), new Dictionary<string, string>());
                }
            }
            else if (file.Exists)
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
        var full = Checked(path);
        var folder = Path.GetDirectoryName(full)!;
        var segments = Segments(path);
        var guard = options.IfMatch is { } version ? ct => HoldVersionAsync(path, full, version, ct) : (Func<CancellationToken, Task<IDisposable?>>?)null;
        var newFolder = false;
        for (var attempt = 1; ; attempt++)
        {
            // A write abandoned just now may remove the folder it had made (FolderOfItsOwn: a raw archive's batch folder,
            // given up by a worker that stalled as another takes its claim over) between this write's making sure of the
            // folder and opening its file there, which then fails as not found, or the folder's making as existing
            // (whether it is back by then says nothing: a third write may have made it again): made again, a few times.
            newFolder |= !Directory.Exists(folder);
            try
            {
                CreateFolder(folder, path);
            }
            catch (IOException) when (attempt < 8)
            {
                continue;
            }

            if (!options.Overwrite && File.Exists(full))
            {
                throw new ObjectExistsException(path);
            }

            try
            {
                return Task.FromResult<IObjectWrite>(new LocalObjectWrite(path, full, options.Overwrite, () => _metadata.Write(segments, options.Metadata), (length, written) => Describe(path, length, written), guard)
                {
                    RemovesFolderIfAbandoned = newFolder && options.FolderOfItsOwn,
                });
            }
            catch (Exception ex) when (attempt < 8 && ex is DirectoryNotFoundException or FileNotFoundException)
            {
                // Its file opened to be created: not found means its folder went.
            }
        }
    }

    /// <inheritdoc />
    public async Task<bool> DeleteAsync(string path, string? ifMatchETag, CancellationToken cancellationToken)
    {
        // Conditioned on a version, the check and the delete take their turn with the writers conditioned on one (under the
        // object's lock file): otherwise a write could replace the version between the check and the delete, and the delete
        // would remove the new one (a retry's manifest, deleted by the stalled worker withdrawing the one it replaced).
        // A path past the OS limit is settled first: nothing there can be deleted, and its lock file's path would copy the
        // chain's names under locks/ as far as the OS let it, then fail quoting them all.
        var full = FullPath(path);
        if (IsBeyondReach(full))
        {
            return IsThereBeyondReach(full) ? throw new ObjectUnreachableException(path) : false;
        }

        using var held = ifMatchETag is not null && IsWrittenByVersion(path)
            ? await FileLock.AcquireAsync(LockOf(path), cancellationToken).ConfigureAwait(false)
            : null;
        return Delete(path, ifMatchETag);
    }

    // Only the hub's own containers hold objects written conditioned on a version (batch manifests, current.json), under
    // names the hub made. Landing and quarantine objects never are, and their names may carry what a partner typed, which a
    // lock file named after them would copy outside the container.
    private static bool IsWrittenByVersion(string path) =>
        path.StartsWith("secure/", StringComparison.Ordinal) || path.StartsWith("published/", StringComparison.Ordinal);

    private bool Delete(string path, string? ifMatchETag)
    {
        var full = FullPath(path);
        var link = _links.LinkOn(full);
        if (link is not null && !string.Equals(link, full, StringComparison.Ordinal))
        {
            throw new ObjectRefusedException(path, "a folder on its path is a link.");
        }

        var file = new FileInfo(full);
        if (link is not null)
        {
            // The link itself goes; what it points to is never touched.
            if (file.Attributes.HasFlag(FileAttributes.Directory))
            {
                Directory.Delete(full);
            }
            else
            {
                file.Delete();
            }

            return true;
        }

        // A path past the OS limit never reaches here (DeleteAsync settles it first): a missing object is simply gone,
        // unless it is there but the hub's user may not reach it (nothing can delete it; it must not be taken for gone).
        if (!file.Exists)
        {
            return IsDenied(full) ? throw new ObjectUnreachableException(path, UnreachableCause.AccessDenied, AccessRemedy) : false;
        }

        if (!ETagMatches(file, ifMatchETag))
        {
            throw new ObjectChangedException(path);
        }

        file.Delete();
        _metadata.Write(Segments(path), null);
        return true;
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
            new WriteOptions(Overwrite: true, source.Metadata),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes the temporary files of writers that have gone, anywhere under the root (containers, metadata, receipts, keys).</summary>
    /// <remarks>Ages are judged by the machine's clock, as the file system's times are (not the hub's clock, which tests may set).</remarks>
    public Task<int> SweepAsync(Action<string> unopenable, CancellationToken cancellationToken) => Task.FromResult(TemporaryFiles.Sweep(_root, DateTimeOffset.UtcNow, unopenable));

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
            // A colon names a file's alternate data stream on Windows ("a:b.csv" is stream b.csv of a file a); elsewhere
            // it is a character of the name, and a partner's file so named is moved to quarantine like any other refused one.
            if (segment.Length == 0 || segment is "." or ".." || segment.IndexOfAny(['\\', '\0']) >= 0 || (OperatingSystem.IsWindows() && segment.Contains(':', StringComparison.Ordinal)))
            {
                throw new ArgumentException("An object path may not contain empty, '.' or '..' segments, backslashes, NUL characters or (on Windows) colons.", nameof(path));
            }
        }

        return segments;
    }

    /// <summary>
    /// The entry's full path. Not <see cref="FileSystemEntry.ToFullPath"/>: that joins into a buffer of the OS path limit and
    /// gives an empty path for an entry past it (its folder's path is always within it, having been opened).
    /// </summary>
    internal static string FullPathOf(ref FileSystemEntry entry) => Path.Join(entry.Directory, entry.FileName);

    /// <summary>
    /// True when something is at <paramref name="full"/> and the OS cannot reach it by that path: the path is past the OS
    /// limit, and the first name on it past the limit is in its folder (the deepest one the OS reaches). What is below that
    /// name cannot be known, so it is taken as there. False when nothing is (a chain an operator removed; a name longer than a
    /// file system allows, which nothing can have), so the caller answers "not found" as for any other path.
    /// </summary>
    internal static bool IsThereBeyondReach(string full)
    {
        if (!IsBeyondReach(full))
        {
            return false;
        }

        var first = full;
        var folder = Path.GetDirectoryName(full);
        while (folder is not null && IsBeyondReach(folder))
        {
            first = folder;
            folder = Path.GetDirectoryName(folder);
        }

        if (folder is null || !Directory.Exists(folder))
        {
            return false;
        }

        // Found by reading the folder (which the OS opens), not by the path past the limit (which it will not take).
        var name = Path.GetFileName(first);
        return new FileSystemEnumerable<bool>(folder, (ref FileSystemEntry _) => true, new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => e.FileName.SequenceEqual(name),
        }.Any();
    }

    // An entry the hub cannot open, listed for its caller to refuse: no size, and a version from why (with, for a name not
    // UTF-8, how many read alike) and the write time of the folder that changes when it is replaced or fixed.
    private static StoredObject Unopenable(string path, string why, DateTime folderWritten, DateTimeOffset lastModified, string? alike = null)
    {
        var version = $"\"{why}-{folderWritten.Ticks.ToString("x", CultureInfo.InvariantCulture)}{(alike is null ? string.Empty : "-" + alike)}\"";
        return new StoredObject(path, 0, version, lastModified, new Dictionary<string, string>());
    }

    // Why the walk could not open a folder, from the exception the open threw; null for a failure that says nothing about the
    // folder (an I/O error part-way, no file handles or memory left), which must fail the listing. A name not UTF-8 is not
    // found by the name .NET read it with (Gone), and is listed by that.
    private static UnopenedFolder? WhyUnopened(Exception ex) => ex switch
    {
        UnauthorizedAccessException => UnopenedFolder.Denied,
        PathTooLongException => UnopenedFolder.TooDeep,
        DirectoryNotFoundException => UnopenedFolder.Gone,
        _ => null,
    };

    /// <summary>True when <paramref name="full"/> is longer than the OS lets a path be (it answers so, whatever its limit).</summary>
    internal static bool IsBeyondReach(string full)
    {
        try
        {
            File.GetAttributes(full);
            return false;
        }
        catch (PathTooLongException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when something may be at <paramref name="full"/> that the hub's user is not allowed to reach: a folder it may not
    /// open, or a name it may not look at (a folder on the path may not be entered). False when nothing is there.
    /// </summary>
    internal static bool IsDenied(string full)
    {
        try
        {
            return (File.GetAttributes(full) & FileAttributes.Directory) != 0 && !CanOpen(full);
        }
        catch (UnauthorizedAccessException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// True when the folder at <paramref name="full"/> can be opened to read what is in it. A recursive enumeration that
    /// cannot open a folder either ends (one folder stopping every file after it) or, ignoring it, skips it without a word.
    /// </summary>
    internal static bool CanOpen(string full)
    {
        try
        {
            // The enumerator opens the folder as it is made; nothing is read from it.
            using var opened = new FileSystemEnumerable<bool>(full, (ref FileSystemEntry _) => true, new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }).GetEnumerator();
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    // Why nothing is found at a path where something is: past the OS limit, or out of the hub's user's reach; null when nothing is.
    private static ObjectUnreachableException? Unreachable(string path, string full) =>
        IsThereBeyondReach(full) ? new ObjectUnreachableException(path)
        : IsDenied(full) ? new ObjectUnreachableException(path, UnreachableCause.AccessDenied, AccessRemedy)
        : null;

    private static bool IsObjectPath(string path)
    {
        try
        {
            Segments(path);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private string Checked(string path) => _links.Checked(FullPath(path), path);

    private static void CreateFolder(string folder, string path)
    {
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (IOException) when (File.Exists(folder))
        {
            throw new ObjectRefusedException(path, "a name on its path is a file, not a folder.");
        }
    }

    // A rename cannot be conditioned on what it replaces: writers conditioned on a version of one object take turns under a
    // lock file ({root}/locks/{path}.lock, beside the audit log's, outside the containers), each checking the version while it holds it.
    private async Task<IDisposable?> HoldVersionAsync(string path, string full, string version, CancellationToken cancellationToken)
    {
        var held = await FileLock.AcquireAsync(LockOf(path), cancellationToken).ConfigureAwait(false);
        var file = new FileInfo(full);
        if (!file.Exists || !ETagMatches(file, version))
        {
            held.Dispose();
            throw new ObjectChangedException(path);
        }

        return held;
    }

    private string LockOf(string path) => Path.Combine(_root, "locks", Path.Combine(Segments(path)) + ".lock");

    private static bool ETagMatches(FileInfo file, string? ifMatchETag) =>
        ifMatchETag is null || string.Equals(ETagOf(file), ifMatchETag, StringComparison.Ordinal);

    private static string ETagOf(FileInfo file) => ETagOf(file.Exists ? file.Length : 0, file.LastWriteTimeUtc);

    private static string ETagOf(long length, DateTime lastWriteUtc) =>
        "\"" + length.ToString("x", CultureInfo.InvariantCulture) + "-" + lastWriteUtc.Ticks.ToString("x", CultureInfo.InvariantCulture) + "\"";

    private StoredObject Describe(string path, FileInfo file) => Describe(path, file.Length, file.LastWriteTimeUtc);

    private StoredObject Describe(string path, long length, DateTime lastWriteUtc) =>
        new(path, length, ETagOf(length, lastWriteUtc), new DateTimeOffset(lastWriteUtc, TimeSpan.Zero), _metadata.Read(Segments(path)));
}

/// <summary>Why the listing could not open a folder it found (None: it was not a folder that failed to open).</summary>
internal enum UnopenedFolder
{
    /// <summary>Opened, or not a folder.</summary>
    None,

    /// <summary>The hub's user may not open it.</summary>
    Denied,

    /// <summary>It lies past the OS path limit.</summary>
    TooDeep,

    /// <summary>Not there by the name read (removed since, or a name not UTF-8), or not a folder now.</summary>
    Gone,
}
