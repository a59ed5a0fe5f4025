using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Embedded;

/// <summary>
/// The embedded host: polls landing/ and ingests each new file once its size and time have settled (a file still being
/// uploaded is left alone), and runs the timer jobs on their CRON schedules. Stops cleanly when cancelled.
/// </summary>
public sealed class EmbeddedRunner
{
    private readonly HubContext _hub;
    private readonly IReadOnlyList<TimerJob> _jobs;
    private readonly TimeSpan _pollInterval;
    private readonly Action<string> _report;
    private readonly ILogger _log;

    /// <summary>Runs <paramref name="jobs"/> and the landing watcher over <paramref name="hub"/>.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="jobs">The timer jobs.</param>
    /// <param name="pollInterval">How often landing/ is listed.</param>
    /// <param name="report">Receives one line per file handled or job run.</param>
    public EmbeddedRunner(HubContext hub, IReadOnlyList<TimerJob> jobs, TimeSpan pollInterval, Action<string> report)
    {
        _hub = hub;
        _jobs = jobs;
        _pollInterval = pollInterval;
        _report = report;
        _log = hub.Logger("DataHub.Runner");
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var tasks = new List<Task> { WatchLandingAsync(cancellationToken) };
        tasks.AddRange(_jobs.Select(job => RunScheduleAsync(job, cancellationToken)));
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: every loop has stopped between files or between job runs.
        }
    }

    /// <summary>Lists landing/ once and ingests every file whose ETag is unchanged since <paramref name="seen"/> last saw it.</summary>
    /// <param name="seen">Path → ETag from the previous poll; updated in place.</param>
    /// <param name="handled">Path → ETag already handled in this run; updated in place.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The outcomes of the files handled.</returns>
    public async Task<IReadOnlyList<IngestOutcome>> PollOnceAsync(Dictionary<string, string> seen, Dictionary<string, string> handled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(seen);
        ArgumentNullException.ThrowIfNull(handled);
        var ingest = new IngestExtract(_hub);
        var outcomes = new List<IngestOutcome>();
        var current = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var item in _hub.Store.ListAsync(LandingPath.Container + "/", cancellationToken).ConfigureAwait(false))
        {
            if (item.Path.StartsWith($"{LandingPath.Container}/{LandingPath.ProcessedFolder}/", StringComparison.Ordinal))
            {
                continue;
            }

            current[item.Path] = item.ETag;
        }

        foreach (var (path, eTag) in current)
        {
            var settled = seen.TryGetValue(path, out var before) && string.Equals(before, eTag, StringComparison.Ordinal);
            var done = handled.TryGetValue(path, out var handledTag) && string.Equals(handledTag, eTag, StringComparison.Ordinal);
            if (!settled || done)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var outcome = await ingest.HandleAsync(path, eTag, cancellationToken).ConfigureAwait(false);
            handled[path] = eTag;
            outcomes.Add(outcome);
            _report(Describe(outcome));
        }

        seen.Clear();
        foreach (var (path, eTag) in current)
        {
            seen[path] = eTag;
        }

        return outcomes;
    }

    /// <summary>A one-line description of an outcome for the console.</summary>
    public static string Describe(IngestOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Status switch
        {
            IngestStatus.Stored or IngestStatus.StoredWithRowErrors =>
                $"{outcome.LandingPath}: {outcome.Status}, {outcome.RowsAccepted} rows stored, {outcome.RowsRejected} rejected (batch {outcome.BatchId})",
            IngestStatus.Quarantined => $"{outcome.LandingPath}: quarantined ({outcome.Rule}): {outcome.Message} Report: {outcome.ReportPath}",
            _ => $"{outcome.LandingPath}: {outcome.Status} ({outcome.Rule}) {outcome.Message}",
        };
    }

    private async Task WatchLandingAsync(CancellationToken cancellationToken)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var handled = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(seen, handled, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (IOException ex)
            {
                _log.LogWarning("Listing landing failed ({ErrorType}); retrying.", ex.GetType().Name);
            }

            await Task.Delay(_pollInterval, _hub.Time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task RunScheduleAsync(TimerJob job, CancellationToken cancellationToken)
    {
        var schedule = job.Parse();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _hub.Time.GetUtcNow();
            var next = new DateTimeOffset(schedule.GetNextOccurrence(now.UtcDateTime), TimeSpan.Zero);
            _log.LogInformation("{Job} next runs at {Next:O}.", job.Name, next);
            await Task.Delay(next - now, _hub.Time, cancellationToken).ConfigureAwait(false);
            try
            {
                var summary = await job.RunAsync(_hub, cancellationToken).ConfigureAwait(false);
                _report($"{job.Name}: {summary}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One failed run must not stop the host; the next occurrence tries again.
                _log.LogError("{Job} failed ({ErrorType}).", job.Name, ex.GetType().Name);
                _report($"{job.Name}: failed ({ex.GetType().Name}: {ex.Message})");
            }
        }
    }
}
