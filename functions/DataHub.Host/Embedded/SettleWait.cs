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
    /// <param name="file">The file to be copied (a link or a missing file is not waited for: the copy refuses it; one that
    /// goes while waited for ends the wait as <see cref="SettleOutcome.Gone"/>).</param>
    /// <param name="waiting">Told, once, how long ago the file was written, when the wait begins.</param>
    /// <param name="cancellationToken">Ends the wait (Ctrl+C): <see cref="OperationCanceledException"/>, nothing copied.</param>
    /// <returns>Settled; still changing after <see cref="Patience"/> settle times; or gone (moved or deleted) while waited for.</returns>
    /// <remarks>A file whose write time lags this clock (a share whose server clock runs slow) is taken as written that
    /// much earlier; the check made during the copy is then the only guard. A change seen while waiting restarts the
    /// settle time from when it was seen, whatever write time the file shows.</remarks>
    public async Task<SettleOutcome> UntilSettledAsync(FileInfo file, Action<TimeSpan> waiting, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(waiting);
        file.Refresh();
        if (!file.Exists || file.LinkTarget is not null)
        {
            return SettleOutcome.Settled;
        }

        var seen = (file.Length, file.LastWriteTimeUtc);
        var now = _time.GetUtcNow();
        var since = Since(seen.LastWriteTimeUtc, now);
        if (now - since >= _settle)
        {
            return SettleOutcome.Settled;
        }

        waiting(now - since);
        var started = _time.GetTimestamp();
        while (true)
        {
            await Task.Delay(PollInterval, _time, cancellationToken).ConfigureAwait(false);
            file.Refresh();
            if (!file.Exists)
            {
                return SettleOutcome.Gone;
            }

            now = _time.GetUtcNow();
            var current = (file.Length, file.LastWriteTimeUtc);
            if (current != seen)
            {
                // Written since the last look, whatever time the file shows (its clock may lag this one).
                seen = current;
                since = now;
            }
            else if (now - since >= _settle)
            {
                return SettleOutcome.Settled;
            }

            if (_time.GetElapsedTime(started) >= Patience * _settle)
            {
                return SettleOutcome.StillChanging;
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

/// <summary>How a wait for a file to settle ended.</summary>
public enum SettleOutcome
{
    /// <summary>Unchanged for the settle time: it can be copied.</summary>
    Settled,

    /// <summary>Still changing after the patience ran out: an upload still under way.</summary>
    StillChanging,

    /// <summary>Moved or deleted while waited for.</summary>
    Gone,
}
