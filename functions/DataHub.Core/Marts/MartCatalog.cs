using System.Runtime.CompilerServices;
using DataHub.Core.Feeds;
using DataHub.Core.Storage;

namespace DataHub.Core.Marts;

/// <summary>Raised when a batch manifest cannot be read: the batch it commits cannot be trusted, so readers stop rather than guess.</summary>
public sealed class DamagedManifestException : Exception
{
    /// <summary>A manifest that is not one, or lists files outside its batch.</summary>
    public DamagedManifestException(string path)
        : this(path, $"The batch manifest '{path}' is damaged (not a manifest, or it lists files outside its batch).")
    {
    }

    private DamagedManifestException(string path, string message, ObjectUnreachableException? unreachable = null)
        : base(message, unreachable) => Path = path;

    /// <summary>The manifest's path (or the file standing where the feed's manifests folder should be).</summary>
    public string Path { get; }

    /// <summary>Whether the store denied the hub access to the manifest or its folder: no damage to its content is known.</summary>
    public bool IsAccessDenied => InnerException is ObjectUnreachableException { Cause: UnreachableCause.AccessDenied };

    /// <summary>A manifest the store cannot reach (<paramref name="unreachable"/> says why): the batch it commits cannot be known.</summary>
    public static DamagedManifestException Unreachable(string path, ObjectUnreachableException unreachable)
    {
        ArgumentNullException.ThrowIfNull(unreachable);
        return unreachable.Cause == UnreachableCause.AccessDenied
            ? new(path, $"The batch manifest '{path}' cannot be opened by the hub's user (access to it, or to its folder, is denied{AnswerOf(unreachable)}), so the batch it commits cannot be known; {unreachable.Remedy ?? "give the hub's user read access to it"} (docs/runbook.md, \"A folder or file the hub cannot open\").", unreachable)
            : new(path, $"The batch manifest '{path}' cannot be reached by the hub (its path is too deep or not valid), so the batch it commits cannot be known (docs/runbook.md, \"A folder nested too deep for the hub\").", unreachable);
    }

    /// <summary>The feed's manifests folder, or a folder above it, cannot be reached (<paramref name="unreachable"/> says why): none of its manifests can be read.</summary>
    public static DamagedManifestException FolderUnreachable(string path, ObjectUnreachableException unreachable)
    {
        ArgumentNullException.ThrowIfNull(unreachable);
        return unreachable.Cause == UnreachableCause.AccessDenied
            ? new(path, $"'{path}' is a batch manifests folder the hub's user cannot open (access to it, or to a folder above it, is denied{AnswerOf(unreachable)}), so none of the feed's batches can be read; {unreachable.Remedy ?? "give the hub's user access to it"}, and never move it aside: its quarter files would all look uncommitted (docs/runbook.md, \"A folder or file the hub cannot open\").", unreachable)
            : new(path, $"'{path}' is a batch manifests folder the hub cannot reach (its path is too deep or not valid), so none of the feed's batches can be read; never move it aside: its quarter files would all look uncommitted (docs/runbook.md, \"A folder nested too deep for the hub\").", unreachable);
    }

    // The service's answer, by which an operator tells a missing role from a firewall (none from a local folder).
    private static string AnswerOf(ObjectUnreachableException unreachable) => unreachable.Answer is { } answer ? ": " + answer : string.Empty;

    /// <summary>A file stands where a feed's manifests folder should be: none of the feed's manifests can be read.</summary>
    public static DamagedManifestException FolderIsAFile(string path) =>
        new(path, $"'{path}' is a file where the feed's batch manifests folder should be, so none of the feed's batches can be read; move the file aside.");
}

/// <summary>A committed batch as stored: its manifest and the manifest object's properties.</summary>
public sealed record CommittedBatch(MartManifest Manifest, StoredObject Object);

/// <summary>A feed's folder in the secure mart: the committed batches, and the quarter files no manifest lists.</summary>
/// <param name="Batches">Committed batches, oldest commit first.</param>
/// <param name="Unlisted">Quarter files of no committed batch: a commit interrupted, or still under way.</param>
public sealed record MartFeedState(IReadOnlyList<CommittedBatch> Batches, IReadOnlyList<StoredObject> Unlisted);

/// <summary>
/// The secure mart as readers must see it: only batches whose manifest has been committed (see <see cref="MartManifest"/>).
/// The one place that lists mart files, for the rollup, retention and clean-up alike.
/// </summary>
public sealed class MartCatalog(IObjectStore store)
{
    private readonly IObjectStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>The feeds whose folders hold batches (the rollup's own tables under secure/kpi are not batches).</summary>
    public static IEnumerable<string> Feeds => FeedCatalog.All.Select(f => f.Name);

    /// <summary>The committed batches of <paramref name="feed"/>, oldest commit first (a re-sent record's later copy wins).</summary>
    /// <exception cref="DamagedManifestException">A manifest cannot be read.</exception>
    public async Task<IReadOnlyList<MartManifest>> CommittedAsync(string feed, CancellationToken cancellationToken) =>
        [.. (await ReadBatchesAsync(feed, cancellationToken).ConfigureAwait(false)).Select(b => b.Manifest)];

    /// <summary>
    /// The committed batches of <paramref name="feed"/>, passing each manifest that cannot be read to <paramref name="damaged"/>
    /// and skipping only it: for `audit verify`, which reports it and still checks the feed's other batches.
    /// </summary>
    public async Task<IReadOnlyList<MartManifest>> CommittedAsync(string feed, Action<DamagedManifestException> damaged, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(damaged);
        return [.. (await ReadBatchesAsync(feed, cancellationToken, damaged).ConfigureAwait(false)).Select(b => b.Manifest)];
    }

    /// <summary>Everything in <paramref name="feed"/>'s folder: its committed batches and the quarter files none of them lists.</summary>
    /// <exception cref="DamagedManifestException">A manifest cannot be read.</exception>
    public async Task<MartFeedState> ScanAsync(string feed, CancellationToken cancellationToken)
    {
        var batches = await ReadBatchesAsync(feed, cancellationToken).ConfigureAwait(false);
        var listed = batches.SelectMany(b => b.Manifest.Files).Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var unlisted = new List<StoredObject>();
        await foreach (var item in _store.ListAsync($"secure/{feed}/quarter=", cancellationToken).ConfigureAwait(false))
        {
            if (!listed.Contains(item.Path))
            {
                unlisted.Add(item);
            }
        }

        return new MartFeedState(batches, unlisted);
    }

    /// <summary>
    /// Every feed's folder (see <see cref="ScanAsync"/>). A feed whose manifests cannot be read is passed to
    /// <paramref name="damaged"/> and skipped: nothing of it can be judged safely.
    /// </summary>
    public async IAsyncEnumerable<(string Feed, MartFeedState State)> ScanFeedsAsync(Action<string, DamagedManifestException> damaged, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(damaged);
        foreach (var feed in Feeds)
        {
            MartFeedState state;
            try
            {
                state = await ScanAsync(feed, cancellationToken).ConfigureAwait(false);
            }
            catch (DamagedManifestException ex)
            {
                damaged(feed, ex);
                continue;
            }

            yield return (feed, state);
        }
    }

    /// <summary>
    /// True when <paramref name="batch"/> is committed now as it was listed: its manifest is still there, committed at the
    /// same time, and lists <paramref name="file"/> with the same SHA-256. False once retention or a retry has withdrawn it.
    /// </summary>
    /// <exception cref="DamagedManifestException">The manifest cannot be read now: it is not one, not its batch's, or the hub's user may not open it.</exception>
    public async Task<bool> IsStillCommittedAsync(MartManifest batch, MartManifestFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(file);
        if (await ReadTrustedAsync(batch.Feed, batch.Path, cancellationToken).ConfigureAwait(false) is not { } now)
        {
            return false;
        }

        return now.CommittedAt == batch.CommittedAt && now.Files.Any(f => f.Path == file.Path && f.Sha256 == file.Sha256);
    }

    /// <summary>
    /// True when the manifest of <paramref name="batchId"/> as it is now lists the mart file at <paramref name="path"/>;
    /// false when the batch has no manifest or its manifest lists another attempt's files.
    /// </summary>
    /// <exception cref="DamagedManifestException">The manifest cannot be read: it is not one, not its batch's, or the hub's user may not open it.</exception>
    public async Task<bool> ListsAsync(string feed, string batchId, string path, CancellationToken cancellationToken) =>
        await ReadTrustedAsync(feed, MartManifest.PathFor(feed, batchId), cancellationToken).ConfigureAwait(false) is { } manifest
        && manifest.Files.Any(f => string.Equals(f.Path, path, StringComparison.Ordinal));

    /// <summary>
    /// The files the manifest version <paramref name="manifest"/> of <paramref name="feed"/> lists; empty when that version is
    /// gone or changed (a commit over it, conditioned on its version, then fails anyway), or damaged: a manifest readers refuse
    /// may name any object, another batch's or another feed's committed files among them, and none of those is its attempt's;
    /// or one the hub's user may not open, whose files cannot be known. What such a manifest lists is left, listed by no
    /// manifest once the commit has replaced it, for clean-up to judge against the manifest then.
    /// </summary>
    public async Task<IReadOnlyList<string>> FilesOfAsync(string feed, StoredObject manifest, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        byte[]? read;
        try
        {
            read = await ReadManifestAsync(manifest.Path, cancellationToken, manifest.ETag).ConfigureAwait(false);
        }
        catch (ObjectUnreachableException ex) when (ex.Cause == UnreachableCause.AccessDenied)
        {
            return [];
        }

        return read is { } bytes
            && MartManifest.Parse(bytes) is { } parsed
            && Belongs(parsed, feed, manifest.Path)
            ? [.. parsed.Files.Select(f => f.Path)]
            : [];
    }

    /// <summary>The manifest object of <paramref name="batchId"/> as it stands (not read), or null when the batch has none.</summary>
    /// <exception cref="DamagedManifestException">The feed's manifests folder, or a folder above it, cannot be opened by the hub's user.</exception>
    public async Task<StoredObject?> ManifestOfAsync(string feed, string batchId, CancellationToken cancellationToken)
    {
        try
        {
            return await _store.GetAsync(MartManifest.PathFor(feed, batchId), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectUnreachableException ex) when (ex.Cause == UnreachableCause.AccessDenied)
        {
            // Not "no manifest": a commit made on that belief would be refused by the folder anyway, and the error is the folder's.
            // Only a denial is the folder's permissions; another cause (a store root past the path limit) goes out as it is.
            throw DamagedManifestException.FolderUnreachable($"secure/{feed}/{MartManifest.Folder}", ex);
        }
    }

    /// <summary>
    /// Commits a batch: writes its manifest, the last object of the batch, atomically, and only over what its writer saw:
    /// with <paramref name="seen"/> null only if the batch has no manifest (<see cref="ObjectExistsException"/> otherwise),
    /// else only in place of that version (<see cref="ObjectChangedException"/> otherwise): another writer committed meanwhile.
    /// </summary>
    public Task<StoredObject> CommitAsync(MartManifest manifest, StoredObject? seen, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var json = manifest.ToJson();
        var options = seen is null ? WriteOptions.CreateNew : WriteOptions.Default with { IfMatch = seen.ETag };
        return _store.WriteAsync(manifest.Path, (s, ct) => s.WriteAsync(json, ct).AsTask(), options, cancellationToken);
    }

    /// <summary>
    /// Withdraws a batch: deletes its manifest, so its files are invisible at once (they are deleted after). With
    /// <paramref name="ifMatch"/>, only that version of the manifest (<see cref="ObjectChangedException"/> if it is another).
    /// </summary>
    public Task<bool> WithdrawAsync(string feed, string batchId, CancellationToken cancellationToken, string? ifMatch = null) =>
        _store.DeleteAsync(MartManifest.PathFor(feed, batchId), ifMatch, cancellationToken);

    private async Task<List<CommittedBatch>> ReadBatchesAsync(string feed, CancellationToken cancellationToken, Action<DamagedManifestException>? damaged = null)
    {
        var batches = new List<CommittedBatch>();
        var folder = $"secure/{feed}/{MartManifest.Folder}";
        var listed = new List<StoredObject>();
        try
        {
            await foreach (var item in _store.ListAsync(folder, cancellationToken).ConfigureAwait(false))
            {
                listed.Add(item);
            }
        }
        catch (ObjectUnreachableException ex)
        {
            // A folder above the manifests (the feed's own) cannot be opened: nothing under it can be listed, which is not
            // nothing there. The feed is damaged, never empty, or the rollup would publish without it.
            Report(DamagedManifestException.FolderUnreachable(folder, ex));
            return [];
        }

        foreach (var item in listed)
        {
            if (item.Path == folder)
            {
                // Listed as an entry itself: a file where the manifests' folder should be, or the folder, which the hub's user
                // cannot open. None of the feed's manifests can be read, so its quarter files would all look uncommitted
                // (clean-up would delete every one). The feed is damaged, never empty; and the folder is not to be moved aside.
                Report(await UnreachableAsync(folder, cancellationToken).ConfigureAwait(false) is { } unreachable
                    ? DamagedManifestException.FolderUnreachable(item.Path, unreachable)
                    : DamagedManifestException.FolderIsAFile(item.Path));
                continue;
            }

            if (!item.Path.StartsWith(folder + "/", StringComparison.Ordinal) || !item.Path.EndsWith(".json", StringComparison.Ordinal))
            {
                continue;
            }

            MartManifest? manifest;
            try
            {
                manifest = await ReadTrustedAsync(feed, item.Path, cancellationToken).ConfigureAwait(false);
            }
            catch (DamagedManifestException ex)
            {
                Report(ex);
                continue;
            }
            catch (ObjectUnreachableException ex)
            {
                // Out of reach for another cause than access (a denial is damage already): what it commits cannot be known
                // either, so the feed is damaged, never empty.
                Report(DamagedManifestException.Unreachable(item.Path, ex));
                continue;
            }

            if (manifest is not null)
            {
                // Null: withdrawn since it was listed.
                batches.Add(new CommittedBatch(manifest, item));
            }
        }

        return [.. batches.OrderBy(b => b.Manifest.CommittedAt).ThenBy(b => b.Manifest.BatchId, StringComparer.Ordinal)];

        // Told to the caller that reads past damage; thrown otherwise.
        void Report(DamagedManifestException ex)
        {
            if (damaged is null)
            {
                throw ex;
            }

            damaged(ex);
        }
    }

    // Why what stands at the path is there but out of the store's reach (a folder the hub's user may not open), or null when
    // it can be reached.
    private async Task<ObjectUnreachableException?> UnreachableAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await _store.GetAsync(path, cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (ObjectUnreachableException ex)
        {
            return ex;
        }
    }

    // The manifest at a path as it is now, or null when it has been withdrawn. One that is not a manifest, or not its own
    // batch's, or that the hub's user may not open, is damaged: what it commits cannot be known, so it is never taken for
    // withdrawn (a file it lists would be deleted, or a batch left out of the rollup unseen).
    private async Task<MartManifest?> ReadTrustedAsync(string feed, string path, CancellationToken cancellationToken)
    {
        byte[]? bytes;
        try
        {
            bytes = await ReadManifestAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectUnreachableException ex) when (ex.Cause == UnreachableCause.AccessDenied)
        {
            throw DamagedManifestException.Unreachable(path, ex);
        }

        if (bytes is null)
        {
            return null;
        }

        return MartManifest.Parse(bytes) is { } manifest && Belongs(manifest, feed, path) ? manifest : throw new DamagedManifestException(path);
    }

    // A manifest's bytes, or null when it has been withdrawn (or, with ifMatch, is no longer that version).
    private async Task<byte[]?> ReadManifestAsync(string path, CancellationToken cancellationToken, string? ifMatch = null)
    {
        try
        {
            using var buffer = new MemoryStream();
            var stream = await _store.OpenReadAsync(path, ifMatch, cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                await stream.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
            }

            return buffer.ToArray();
        }
        catch (Exception ex) when (ex is ObjectNotFoundException || (ifMatch is not null && ex is ObjectChangedException))
        {
            return null;
        }
    }

    // A manifest commits only its own attempt's files of its own batch in its own feed (a manifest from before attempts had
    // names, only its batch's files): a manifest naming any other object is not trusted.
    private static bool Belongs(MartManifest manifest, string feed, string path) =>
        string.Equals(manifest.Feed, feed, StringComparison.Ordinal)
        && string.Equals(manifest.Path, path, StringComparison.Ordinal)
        && manifest.Files.All(f => !f.Quarter.Contains('/', StringComparison.Ordinal)
            && string.Equals(f.Path, MartSchema.PathFor(feed, f.Quarter, manifest.BatchId, manifest.Attempt), StringComparison.Ordinal));
}
