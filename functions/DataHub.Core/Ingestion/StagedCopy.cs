using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Ingestion;

/// <summary>
/// A landed file's copy written in the background while other work goes on (<see cref="LandedFile.WriteCopyAsync"/>),
/// uncommitted: whoever takes it (<see cref="WrittenAsync"/>) commits it, and disposing abandons whatever is left of it.
/// </summary>
/// <remarks>
/// Disposing stops a copy still under way and waits for it, then disposes its write (nothing after a commit; otherwise
/// nothing of it becomes visible, and a local temporary file is deleted): no copy runs on after its owner has returned,
/// and a failure of one nobody took (other than its being stopped) is logged. A copy nobody took is abandoned on the way
/// out of a failed or cancelled ingest, or before a quarantine, so a failure to remove its temporary file is logged, not
/// raised over the error that ended the ingest or over the quarantine.
/// The copy runs under its own token, never its owner's: once taken it must finish however the owner's work was cancelled
/// meanwhile.
/// </remarks>
internal sealed class StagedCopy : IAsyncDisposable
{
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task<IObjectWrite> _copy;
    private readonly string _safePath;
    private readonly ILogger _log;
    private bool _taken;
    private bool _disposed;

    /// <summary>Starts copying <paramref name="file"/>'s content to <paramref name="destination"/> on the thread pool.</summary>
    public StagedCopy(LandedFile file, string destination, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(file);
        _safePath = file.SafePath;
        _log = log;
        var token = _abandon.Token;
        _copy = Task.Run(() => file.WriteCopyAsync(destination, token), CancellationToken.None);
    }

    /// <summary>The copy, written whole and not yet committed, once it is; what the copy threw if it failed.</summary>
    /// <exception cref="LandingChangedException">The version copied was gone before the copy could be made.</exception>
    public Task<IObjectWrite> WrittenAsync()
    {
        _taken = true;
        return _copy;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        // Stopped early by a quarantine, then disposed again on the way out.
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _abandon.CancelAsync().ConfigureAwait(false);
        IObjectWrite write;
        try
        {
            write = await _copy.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or LandingChangedException)
        {
            // Stopped, or its version gone: the copy's own clean-up ran (WriteCopyAsync disposed its write).
            return;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A failed copy may have failed to remove what it wrote too. Told here only when nobody took it: a taker has
            // seen the failure and audited it.
            if (!_taken)
            {
                _log.LogWarning("{Path}: the raw archive's abandoned copy failed ({ErrorType}); a temporary file it left is removed by the first sweep after this process has ended.", _safePath, ex.GetType().Name);
            }

            return;
        }
        finally
        {
            _abandon.Dispose();
        }

        try
        {
            await write.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The ingest is already leaving by its own error, which must stay the one raised (a takeover, a cancellation).
            _log.LogWarning("{Path}: the raw archive's unfinished copy could not be removed ({ErrorType}); it is removed by the first sweep after this process has ended.", _safePath, ex.GetType().Name);
        }
    }
}
