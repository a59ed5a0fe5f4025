using System.Security.Cryptography;
using DataHub.Core.Storage;

namespace DataHub.Core.Ingestion;

/// <summary>Raised when the version of a landed file being handled was replaced or removed under the handler.</summary>
internal sealed class LandingChangedException() : Exception("The landed file was replaced or removed while it was handled; its new version is handled on its own.");

/// <summary>
/// One landed file being handled: its path, the version (ETag) and content hash it was claimed as, and what is learnt
/// step by step. Its content is read from one handle kept open from the hash onwards where the store allows (a local
/// file: the same bytes even if the path is replaced meanwhile), otherwise reopened pinned to the version.
/// </summary>
internal sealed class LandedFile : IAsyncDisposable
{
    // The content is read this much at a time (hash, archive and quarantine copies): each read and write of an
    // asynchronous file stream is a trip through the thread pool, and the streams' default of 80 KB took thousands of them.
    private const int ChunkBytes = 1 << 20;

    private readonly IObjectStore _store;
    private readonly HashedBytes? _pinned;

    private LandedFile(IObjectStore store, LandingPath path, FileLabels labels, string eTag, string sha256, HashedBytes? pinned)
    {
        _store = store;
        Path = path;
        ETag = eTag;
        Sha256 = sha256;
        _pinned = pinned;
        Labels = labels;
        SafePath = labels.LandingPath(path);
        Label = labels.Label(path.FileName);
    }

    public LandingPath Path { get; }

    /// <summary>The landing path in its safe form, for audit, receipts, reports and logs.</summary>
    public string SafePath { get; }

    /// <summary>The labels this file is named by, everywhere it is recorded (one key version for the whole handling).</summary>
    public FileLabels Labels { get; }

    /// <summary>The file name's safe label.</summary>
    public string Label { get; }

    public string ETag { get; }

    public string Sha256 { get; }

    public long Started { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

    public string? Agreement { get; set; }

    public string? BatchId { get; set; }

    public long Read { get; set; }

    public long Accepted { get; set; }

    public long Rejected { get; set; }

    /// <summary>Opens and hashes the version <paramref name="found"/> of the file, to be named under <paramref name="labels"/>; null when it changed or went meanwhile.</summary>
    /// <exception cref="ObjectRefusedException">The path turned into a link.</exception>
    public static async Task<LandedFile?> OpenAsync(IObjectStore store, LandingPath path, FileLabels labels, StoredObject found, CancellationToken cancellationToken)
    {
        Stream stream;
        try
        {
            stream = await store.OpenReadAsync(path.Path, found.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectChangedException or ObjectNotFoundException)
        {
            return null;
        }

        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[ChunkBytes];
            var hashed = 0L;
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                sha.AppendData(buffer, 0, n);
                hashed += n;
            }

            var hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (!stream.CanSeek)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            return new LandedFile(store, path, labels, found.ETag, hash, stream.CanSeek ? new HashedBytes(stream, hashed) : null);
        }
        catch (ObjectChangedException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            return null;
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="use"/> over the file's content from its first byte: the hashed version, never another.</summary>
    /// <exception cref="LandingChangedException">The version is gone and the store cannot serve it any more.</exception>
    public async Task<T> WithContentAsync<T>(Func<Stream, Task<T>> use, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(use);
        if (_pinned is not null)
        {
            _pinned.Position = 0;
            return await UseAsync(_pinned, use).ConfigureAwait(false);
        }

        return await WithReaderOfItsOwnAsync(null, use, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <paramref name="use"/> over the file's content from its first byte with a reader of its own, which may run while
    /// another reads it (<see cref="WithContentAsync"/>): a second reader of the same open handle where the store gives one,
    /// otherwise the store's read pinned to the version.
    /// </summary>
    /// <exception cref="LandingChangedException">The version is gone and the store cannot serve it any more.</exception>
    public Task<T> WithReaderOfItsOwnAsync<T>(Func<Stream, Task<T>> use, CancellationToken cancellationToken) =>
        WithReaderOfItsOwnAsync(_pinned?.AnotherReader(), use, cancellationToken);

    private async Task<T> WithReaderOfItsOwnAsync<T>(Stream? reader, Func<Stream, Task<T>> use, CancellationToken cancellationToken)
    {
        if (reader is null)
        {
            try
            {
                reader = await _store.OpenReadAsync(Path.Path, ETag, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ObjectChangedException or ObjectNotFoundException)
            {
                throw new LandingChangedException();
            }
        }

        await using (reader.ConfigureAwait(false))
        {
            return await UseAsync(reader, use).ConfigureAwait(false);
        }
    }

    /// <summary>Copies the file's content (this version) to <paramref name="destination"/>.</summary>
    public Task<StoredObject> CopyToAsync(string destination, CancellationToken cancellationToken) =>
        WithContentAsync(
            content => _store.WriteAsync(destination, (output, ct) => content.CopyToAsync(output, ChunkBytes, ct), WriteOptions.Default, cancellationToken),
            cancellationToken);

    /// <summary>
    /// Writes the file's content (this version) to <paramref name="destination"/> uncommitted: nothing of it is visible
    /// there until the caller commits the write, and disposing it uncommitted abandons it. A failed copy leaves nothing.
    /// </summary>
    public Task<IObjectWrite> WriteCopyAsync(string destination, CancellationToken cancellationToken) =>
        WithReaderOfItsOwnAsync(
            content => _store.WriteUncommittedAsync(destination, (output, ct) => content.CopyToAsync(output, ChunkBytes, ct), WriteOptions.Default with { FolderOfItsOwn = true }, cancellationToken),
            cancellationToken);

    /// <summary>Removes this version from landing; false when it had gone or been replaced (a new version is handled on its own).</summary>
    public async Task<bool> RemoveFromLandingAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _store.DeleteAsync(Path.Path, ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectChangedException)
        {
            return false;
        }
    }

    // A read of this version that fails because the version is gone (rewritten in place, replaced, removed) is the landed
    // file changing, not a fault of the hub; any other object's change is the caller's to handle.
    private async Task<T> UseAsync<T>(Stream content, Func<Stream, Task<T>> use)
    {
        try
        {
            return await use(content).ConfigureAwait(false);
        }
        catch (ObjectChangedException ex) when (string.Equals(ex.Path, Path.Path, StringComparison.Ordinal))
        {
            throw new LandingChangedException();
        }
    }

    public IngestOutcome Outcome(IngestStatus status, string? rule, string? message) =>
        new(status, Path.Path, Path.Partner, Path.Feed, Agreement, Sha256, BatchId, Read, Accepted, Rejected, rule, message) { SafeLandingPath = SafePath };

    public async ValueTask DisposeAsync()
    {
        if (_pinned is not null)
        {
            await _pinned.DisposeAsync().ConfigureAwait(false);
        }
    }
}
