namespace DataHub.Storage.Local;

/// <summary>An exclusive lock on a lock file, held across processes (the OS refuses a second exclusive open).</summary>
internal sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    /// <summary>Waits until the lock is free, then holds it until disposed.</summary>
    public static async Task<FileLock> AcquireAsync(string lockPath, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(lockPath)!);
        var delay = 5;
        var deadline = Environment.TickCount64 + 60_000;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                return new FileLock(new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
            }
            catch (IOException) when (Environment.TickCount64 < deadline)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = Math.Min(delay * 2, 200);
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();
}
