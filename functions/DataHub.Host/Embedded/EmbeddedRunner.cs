using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Host.Embedded;

/// <summary>
/// The embedded host: polls landing/ and ingests each new file once its size and time have settled (a file still being
/// uploaded is left alone, and so is one whose upload has paused for less than the settle time; a name an upload tool
/// writes under before renaming, such as <c>.filepart</c>, waits an hour, then is quarantined unread), and runs the timer
/// jobs on their CRON schedules. It never stops watching: a failure on one file is logged (safely), audited and counted,
/// the file is tried again later with a growing pause, and the next file is handled. Cancellation (Ctrl+C) stops between files and between job runs: work under way is finished, not cut.
/// </summary>
public sealed class EmbeddedRunner
{
    /// <summary>The audit rule for a file whose handling failed unexpectedly in the runner.</summary>
    public const string UnhandledRule = "runner.unhandled";

    private static readonly TimeSpan LongestPause = TimeSpan.FromMinutes(30);

    // How long a name an upload tool writes under (then renames) must stay unchanged before it is handed on, to be
    // quarantined unread (LandingPath.UploadIncompleteRule): long enough for a paused upload to resume and be renamed,
    // short enough that an abandoned one is reported, never kept silently. Counted from the file's last write as well as
    // from when this run first saw it, so a restarted runner does not start the hour again.
    private static readonly TimeSpan UploadNameSettle = TimeSpan.FromHours(1);

    private readonly HubContext _hub;
    private readonly IReadOnlyList<TimerJob> _jobs;
    private readonly TimeSpan _pollInterval;
    private readonly TimeSpan _settle;
    private readonly Action<string> _report;
    private readonly ILogger _log;
    private readonly Dictionary<string, (string ETag, DateTimeOffset Since)> _seen = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _handled = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Retry> _retries = new(StringComparer.Ordinal);
    private int _failures;

    /// <summary>Runs <paramref name="jobs"/> and the landing watcher over <paramref name="hub"/>.</summary>
    /// <param name="hub">The hub.</param>
    /// <param name="jobs">The timer jobs.</param>
    /// <param name="pollInterval">How often landing/ is listed.</param>
    /// <param name="settle">How long a file must stay unchanged (and be seen unchanged on two polls) before it is handled.</param>
    /// <param name="report">Receives one line per file handled or job run.</param>
    public EmbeddedRunner(HubContext hub, IReadOnlyList<TimerJob> jobs, TimeSpan pollInterval, TimeSpan settle, Action<string> report)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settle, TimeSpan.Zero);
        _hub = hub;
        _jobs = jobs;
        _pollInterval = pollInterval;
        _settle = settle;
        _report = report;
        _log = hub.Logger("DataHub.Runner");
    }

    /// <summary>Files whose handling failed with an unexpected error so far (each also logged and audited).</summary>
    public int Failures => Volatile.Read(ref _failures);

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

    /// <summary>
    /// Lists landing/ once and ingests every file whose ETag the previous poll saw too and that has not been written for the
    /// settle time (an upload tool's temporary name: an hour, after which it is quarantined unread), unless it was handled
    /// already, or failed and its pause has not run out.
    /// </summary>
    /// <param name="cancellationToken">Stops between files; a file begun is finished.</param>
    /// <returns>The outcomes of the files handled (a file whose handling threw has none).</returns>
    public async Task<IReadOnlyList<IngestOutcome>> PollOnceAsync(CancellationToken cancellationToken)
    {
        var ingest = new IngestExtract(_hub);
        var outcomes = new List<IngestOutcome>();
        var current = new Dictionary<string, StoredObject>(StringComparer.Ordinal);
        await foreach (var item in LandingSweep.LandedAsync(_hub.Store, cancellationToken).ConfigureAwait(false))
        {
            current[item.Path] = item;
        }

        var now = _hub.Time.GetUtcNow();
        foreach (var (path, item) in current)
        {
            var eTag = item.ETag;
            var settled = _seen.TryGetValue(path, out var before) && string.Equals(before.ETag, eTag, StringComparison.Ordinal)
                && now - before.Since >= (LandingPath.IsUploadName(path[(path.LastIndexOf('/') + 1)..]) ? UploadNameSettle : _settle);
            var done = _handled.TryGetValue(path, out var handledTag) && string.Equals(handledTag, eTag, StringComparison.Ordinal);
            var waiting = _retries.TryGetValue(path, out var retry) && string.Equals(retry.ETag, eTag, StringComparison.Ordinal) && now < retry.NotBefore;
            if (!settled || done || waiting)
            {
                continue;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var outcome = await HandleAsync(ingest, path, eTag).ConfigureAwait(false);
            if (outcome is not null)
            {
                outcomes.Add(outcome);
                _report(Describe(outcome));
            }

            // A failure, a claim another worker holds (it may die), or a file the hub's user may not read (an operator's
            // chmod changes no version, and must need no restart) is looked at again later, with a growing pause; its
            // refusal is reported once per version all the same. Anything else is done.
            if (outcome is null || outcome.Status is IngestStatus.Failed or IngestStatus.InProgress || outcome.Rule == LandingPath.UnreadableRule)
            {
                var failures = retry is not null && string.Equals(retry.ETag, eTag, StringComparison.Ordinal) ? retry.Failures + 1 : 1;
                var pause = outcome?.Status == IngestStatus.InProgress ? _hub.Ingest.ClaimLease : Pause(failures);
                _retries[path] = new Retry(eTag, failures, _hub.Time.GetUtcNow() + pause);
            }
            else
            {
                _retries.Remove(path);
                _handled[path] = eTag;
            }
        }

        // A version's settle time runs from its last write, or from when it was first seen if that is earlier (a clock
        // behind the file's): a change starts it again, and a restarted runner does not, for a file long since written.
        foreach (var (path, item) in current)
        {
            if (!_seen.TryGetValue(path, out var before) || !string.Equals(before.ETag, item.ETag, StringComparison.Ordinal))
            {
                _seen[path] = (item.ETag, item.LastModified < now ? item.LastModified : now);
            }
        }

        // A path no longer listed is forgotten: a file sent again under it later, even one that looks the same (a name
        // that is not UTF-8 gives nothing of its own to tell versions by), is handled afresh rather than taken as done.
        foreach (var gone in _seen.Keys.Concat(_handled.Keys).Concat(_retries.Keys).Where(p => !current.ContainsKey(p)).Distinct().ToList())
        {
            _seen.Remove(gone);
            _handled.Remove(gone);
            _retries.Remove(gone);
        }

        return outcomes;
    }

    /// <summary>A one-line description of an outcome for the console: the file by its safe label, never its name.</summary>
    public static string Describe(IngestOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var path = outcome.SafeLandingPath;
        return outcome.Status switch
        {
            IngestStatus.Stored or IngestStatus.StoredWithRowErrors =>
                $"{path}: {outcome.Status}, {outcome.RowsAccepted} rows stored, {outcome.RowsRejected} rejected (batch {outcome.BatchId})",
            IngestStatus.Quarantined => $"{path}: quarantined ({outcome.Rule}): {outcome.Message} Report: {outcome.ReportPath}",
            _ when string.IsNullOrEmpty(outcome.Rule) => $"{path}: {outcome.Status}: {outcome.Message}",
            _ => $"{path}: {outcome.Status} ({outcome.Rule}) {outcome.Message}",
        };
    }

    private TimeSpan Pause(int failures) =>
        TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, Math.Max(_pollInterval.Ticks, TimeSpan.FromSeconds(15).Ticks) << Math.Min(failures - 1, 10)));

    // Whatever goes wrong with one file (a hostile file, a damaged audit line, a storage fault) must not stop the watch.
    private async Task<IngestOutcome?> HandleAsync(IngestExtract ingest, string path, string eTag)
    {
        try
        {
            return await ingest.HandleAsync(path, eTag, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AuditChainBrokenException ex)
        {
            // Nothing can be audited until an operator repairs the log: say so with the fix (the message is fixed text
            // naming no file or value), leave the file in landing and keep watching, so work resumes once it is repaired.
            Interlocked.Increment(ref _failures);
            var safe = (await ingest.UnexpectedAsync(path, ex, CancellationToken.None).ConfigureAwait(false)).SafeLandingPath;
            // Refused part-way (the file already moved out of landing), the message says where it went instead.
            var what = ex.Written is null ? "not handled" : "stopped part-way";
            var stays = ex.Written is null ? " The file stays in landing and is tried again later." : "";
            _log.LogError("{Path}: {What}, the audit log cannot take another event. {Finding} The runner goes on.{Stays}", safe, what, ex.Message, stays);
            _report($"{safe}: {what}, the audit log cannot take another event. {ex.Message}{stays}");
            return null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Interlocked.Increment(ref _failures);
            // Named as the handling named it (the outcome carries its label), in the audit, the log and the console alike.
            var safe = (await ingest.AuditUnhandledAsync(path, ex, UnhandledRule, $"Handling the file failed unexpectedly ({ex.GetType().Name}); it stays in landing and is tried again later.").ConfigureAwait(false)).SafeLandingPath;
            _log.LogError("{Path}: handling failed ({ErrorType}); the runner goes on and tries it again later.", safe, ex.GetType().Name);
            _report($"{safe}: failed ({ex.GetType().Name}); it stays in landing and is tried again later.");
            return null;
        }
    }

    private async Task WatchLandingAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogWarning("Listing landing failed ({ErrorType}); retrying.", ex.GetType().Name);
            }

            try
            {
                await Task.Delay(_pollInterval, _hub.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
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
            try
            {
                await Task.Delay(next - now, _hub.Time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                // A run begun is finished: Ctrl+C stops between runs, so nothing is left half-published.
                var summary = await job.RunAsync(_hub, CancellationToken.None).ConfigureAwait(false);
                _report($"{job.Name}: {summary}");
            }
            catch (AuditChainBrokenException ex)
            {
                // The host keeps its schedule: the next occurrence runs once an operator has repaired the log. A job refused
                // part-way (the log damaged while it ran) says what it had written; one refused before it began, that it did not run.
                var what = ex.Written is null ? "did not run" : "stopped part-way";
                _log.LogError("{Job} {What}: the audit log cannot take another event. {Finding}", job.Name, what, ex.Message);
                _report($"{job.Name}: {what}, the audit log cannot take another event. {ex.Message}");
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // One failed run must not stop the host; the next occurrence tries again. Named by its type only, as in the
                // log: I/O messages quote paths, and retention walks landing, whose folder and file names are partners' text.
                _log.LogError("{Job} failed ({ErrorType}).", job.Name, ex.GetType().Name);
                _report($"{job.Name}: failed ({ex.GetType().Name}; its message is not shown: it can quote a file's name). The next occurrence tries again.");
            }
        }
    }

    /// <summary>A file that failed: the version that failed, how often in a row, and when it may be tried again.</summary>
    private sealed record Retry(string ETag, int Failures, DateTimeOffset NotBefore);
}
