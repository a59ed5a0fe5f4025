using DataHub.Core.Storage;

namespace DataHub.Core.Marts;

/// <summary>
/// An atomic object write held open: the caller streams into it at leisure, then commits or abandons it. Several can be
/// open at once, so a batch's files are all written before any is committed, and none if the batch fails.
/// </summary>
internal sealed class PendingObjectWrite
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task<StoredObject>? _write;

    private PendingObjectWrite(string path) => Path = path;

    /// <summary>The object's path.</summary>
    public string Path { get; }

    /// <summary>The stream to write the object's bytes to, until commit or abandon.</summary>
    public Stream Stream => _stream.Task.Result;

    /// <summary>Starts the write and waits until the store hands over its stream.</summary>
    public static async Task<PendingObjectWrite> StartAsync(IObjectStore store, string path, WriteOptions options, CancellationToken cancellationToken)
    {
        var pending = new PendingObjectWrite(path);
        pending._write = store.WriteAsync(
            path,
            async (stream, _) =>
            {
                pending._stream.TrySetResult(stream);
                await pending._release.Task.ConfigureAwait(false);
            },
            options,
            cancellationToken);
        var first = await Task.WhenAny(pending._stream.Task, pending._write).ConfigureAwait(false);
        if (first == pending._write)
        {
            // The store failed before it asked for the bytes: surface its error.
            await pending._write.ConfigureAwait(false);
            throw new InvalidOperationException($"The store finished writing '{path}' without asking for its content.");
        }

        return pending;
    }

    /// <summary>Lets the store commit what was written; returns the committed object.</summary>
    public Task<StoredObject> CommitAsync()
    {
        _release.TrySetResult();
        return _write!;
    }

    /// <summary>Makes the store discard what was written; nothing is committed.</summary>
    public async Task AbandonAsync()
    {
        _release.TrySetException(new OperationCanceledException($"The write of '{Path}' was abandoned."));
        try
        {
            await _write!.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Expected: this is how the store learns not to commit.
        }
    }
}
