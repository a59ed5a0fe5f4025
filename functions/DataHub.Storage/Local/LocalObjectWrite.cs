using DataHub.Core.Storage;
using Microsoft.Win32.SafeHandles;

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
    private readonly Action _beforeRename;
    private readonly Func<long, DateTime, StoredObject> _describe;
    private readonly Func<CancellationToken, Task<IDisposable?>>? _holdVersion;
    private readonly FileStream _stream;
    private readonly Stream _content;
    private bool _done;

    /// <summary>
    /// Starts writing <paramref name="path"/>; <paramref name="beforeRename"/> runs once the bytes are durable (the object's
    /// metadata). <paramref name="describe"/> makes the object committed from the length and last-write time (UTC) of the
    /// file written. <paramref name="holdVersion"/>, for a write conditioned on a version, checks it and holds it until the rename.
    /// </summary>
    public LocalObjectWrite(string path, string destination, bool overwrite, Action beforeRename, Func<long, DateTime, StoredObject> describe, Func<CancellationToken, Task<IDisposable?>>? holdVersion = null)
    {
        Path = path;
        _destination = destination;
        _temp = TemporaryFiles.PathBeside(destination);
        _overwrite = overwrite;
        _beforeRename = beforeRename;
        _describe = describe;
        _holdVersion = holdVersion;

        // Its mode follows the process's file-creation mask (FileCreationMask), like every file the hub writes.
        var handle = File.OpenHandle(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, FileOptions.Asynchronous);
        try
        {
            _stream = new FileStream(handle, FileAccess.Write, 1 << 16, isAsync: true);
        }
        catch
        {
            handle.Dispose();
            Discard();
            throw;
        }

        _content = EarlyWriteback.IsSupported ? new EarlyWriteback(_stream, handle) : _stream;
    }

    public string Path { get; }

    /// <summary>
    /// Whether the store made the destination's folder for this write, a folder of one batch's raw archive
    /// (<see cref="WriteOptions.FolderOfItsOwn"/>): abandoned, the write then removes it again if nothing else is in it.
    /// </summary>
    public bool RemovesFolderIfAbandoned { get; init; }

    public Stream Content => _content;

    public async Task<StoredObject> CommitAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_done, this);
        _done = true;
        (long Length, DateTime Written) version;
        try
        {
            if (_stream.CanWrite)
            {
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                _stream.Flush(flushToDisk: true);
                version = UnchangedFileStream.VersionOf(_stream.SafeFileHandle);
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                // The writer closed the stream itself: its bytes reached the file then; make them durable before the rename.
                using var written = new FileStream(_temp, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                written.Flush(flushToDisk: true);
                version = UnchangedFileStream.VersionOf(written.SafeFileHandle);
            }

            using var held = _holdVersion is null ? null : await _holdVersion(cancellationToken).ConfigureAwait(false);

            // A create-only write refused must not leave its metadata on the object another writer committed first. (Two
            // create-only writers committing within the same instant can still both pass this check; the rename refuses one.)
            if (!_overwrite && File.Exists(_destination))
            {
                throw new ObjectExistsException(Path);
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
            await DisposeStreamAndDiscardAsync().ConfigureAwait(false);
        }

        // The version written, as it was once its last byte was down (a rename moves neither its length nor its time), not
        // what the path holds by the time it is looked at: another writer may have replaced it straight after the rename,
        // and a caller that later acts on its own version (a stalled worker withdrawing its manifest) names it by this one.
        return _describe(version.Length, version.Written);
    }

    public async ValueTask DisposeAsync()
    {
        if (_done)
        {
            return;
        }

        _done = true;
        await DisposeStreamAndDiscardAsync().ConfigureAwait(false);
    }

    // Closing the stream writes its buffered tail, which can fail (a full disk): the temporary file goes all the same.
    private async Task DisposeStreamAndDiscardAsync()
    {
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            Discard();
        }
    }

    // Removes the temporary file unless it has been renamed into place, and then the folder made for it if it is empty.
    private void Discard()
    {
        if (!File.Exists(_temp))
        {
            return;
        }

        File.Delete(_temp);
        if (RemovesFolderIfAbandoned)
        {
            try
            {
                Directory.Delete(System.IO.Path.GetDirectoryName(_destination)!, recursive: false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not empty (another write's file, or an object committed there meanwhile), or gone already: it stays.
            }
        }
    }
}
