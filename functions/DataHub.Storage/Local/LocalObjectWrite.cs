using DataHub.Core.Storage;

namespace DataHub.Storage.Local;

/// <summary>
/// A local object being written: the bytes go to a hidden temporary file beside the destination (<see cref="TemporaryFiles"/>),
/// which commit flushes to disk and renames into place (atomic on one file system); abandoning deletes the temporary file.
/// </summary>
internal sealed class LocalObjectWrite : IObjectWrite
{
    private readonly string _destination;
    private readonly string _temp;
    private readonly bool _overwrite;
    private readonly Func<bool>? _unchanged;
    private readonly Action _beforeRename;
    private readonly Func<FileInfo, StoredObject> _describe;
    private readonly FileStream _stream;
    private bool _done;

    /// <summary>
    /// Starts writing <paramref name="path"/>; <paramref name="beforeRename"/> runs once the bytes are durable (the object's
    /// metadata). With <paramref name="unchanged"/>, the commit goes ahead only while it says the destination is still the
    /// version the writer was given.
    /// </summary>
    public LocalObjectWrite(string path, string destination, bool overwrite, Func<bool>? unchanged, Action beforeRename, Func<FileInfo, StoredObject> describe)
    {
        Path = path;
        _destination = destination;
        _temp = TemporaryFiles.PathBeside(destination);
        _overwrite = overwrite;
        _unchanged = unchanged;
        _beforeRename = beforeRename;
        _describe = describe;

        // Its mode follows the process's file-creation mask (FileCreationMask), like every file the hub writes.
        _stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
    }

    public string Path { get; }

    public Stream Content => _stream;

    public async Task<StoredObject> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        try
        {
            if (_stream.CanWrite)
            {
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                _stream.Flush(flushToDisk: true);
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                // The writer closed the stream itself: its bytes reached the file then; make them durable before the rename.
                using var written = new FileStream(_temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                written.Flush(flushToDisk: true);
            }

            // Checked just before the rename: a folder has no conditional rename, so writers of one path the hub conditions
            // (a batch's files and manifest) are serialised by the claim's lock around the commit (LocalReceiptStore).
            if (_unchanged is not null && !_unchanged())
            {
                throw new ObjectChangedException(Path);
            }

            _beforeRename();

            // Without overwrite this is an atomic create-if-absent: the rename fails if another writer got there first.
            // A rename replaces a link at the destination rather than writing through it.
            File.Move(_temp, _destination, _overwrite);
        }
        catch (IOException) when (!_overwrite && File.Exists(_destination))
        {
            throw new ObjectExistsException(Path);
        }
        finally
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            Discard();
        }

        return _describe(new FileInfo(_destination));
    }

    public async ValueTask DisposeAsync()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        await _stream.DisposeAsync().ConfigureAwait(false);
        Discard();
    }

    // Removes the temporary file unless it has been renamed into place.
    private void Discard()
    {
        if (File.Exists(_temp))
        {
            File.Delete(_temp);
        }
    }
}
