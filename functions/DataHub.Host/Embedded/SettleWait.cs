namespace DataHub.Host.Embedded;

/// <summary>
/// Waits until a file given to `ingest` has gone unwritten for the settle time, counted from its last write, as the
/// runner does for landing: an upload that writes in bursts, or stalls for a moment, would otherwise be copied cut short
/// and stored as the whole delivery (the check made during the copy only sees writes in those few milliseconds).
/// </summary>
public sealed class SettleWait
{
    /// <summary>How many settle times a file may go on changing before the wait is given up (an upload still under way).</summary>
    public const int Patience = 10;

    // How often the file's length and write time are looked at while waiting.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly TimeProvider _time;
    private readonly TimeSpan _settle;

    /// <summary>Waits by <paramref name="time"/> for a file to go unwritten for <paramref name="settle"/>.</summary>
    /// <param name="time">The clock (file times are compared with its wall time).</param>
    /// <param name="settle">How long the file must stay unchanged; zero takes it at once.</param>
    public SettleWait(TimeProvider time, TimeSpan settle)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(settle, TimeSpan.Zero);
        _time = time;
        _settle = settle;
    }

    /// <summary>
    /// Returns at once when <paramref name="file"/> was last written the settle time ago or longer (the usual case: an
    /// extract delivered earlier); otherwise tells <paramref name="waiting"/> how long ago it was written (once) and polls
    /// its length and write time until they have stayed the same for the settle time.
    /// </summary>
    /// <param name="file">The file to be copied (a link or a missing file is not waited for: the copy refuses it).</param>
    /// <param name="waiting">Told, once, how long ago the file was written, when the wait begins.</param>
    /// <param name="cancellationToken">Ends the wait (Ctrl+C): <see cref="OperationCanceledException"/>, nothing copied.</param>
    /// <returns>True once the file has settled; false when it was still changing after <see cref="Patience"/> settle times.</returns>
    public async Task<bool> UntilSettledAsync(FileInfo file, Action<TimeSpan> waiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(waiting);
        file.Refresh();
        if (!file.Exists || file.LinkTarget is not null)
        {
            return true;
        }

        var seen = (file.Length, file.LastWriteTimeUtc);
        var now = _time.GetUtcNow();
        var since = Since(seen.LastWriteTimeUtc, now);
        if (now - since >= _settle)
        {
            return true;
        }

        waiting(now - since);
        var started = _time.GetTimestamp();
        while (true)
        {
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            file.Refresh();
            if (!file.Exists)
            {
                return true;
            }

            now = _time.GetUtcNow();
            var current = (file.Length, file.LastWriteTimeUtc);
            if (current != seen)
            {
                seen = current;
                since = Since(current.LastWriteTimeUtc, now);
            }
            else if (now - since >= _settle)
            {
                return true;
            }

            if (_time.GetElapsedTime(started) >= Patience * _settle)
            {
                return false;
            }
        }
    }

    // The settle time runs from the file's last write, or from now if that is ahead of this clock (a file from a machine
    // whose clock runs fast would otherwise count as long settled).
    private static DateTimeOffset Since(DateTime lastWriteUtc, DateTimeOffset now)
    {
        var written = new DateTimeOffset(lastWriteUtc, TimeSpan.Zero);
        return written < now ? written : now;
    }
}
