using System.Globalization;
using DataHub.Core.Ingestion;
using DataHub.Storage.Azure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataHub.Functions;

/// <summary>
/// SweepLanding: on its schedule, hands every file left in landing/ longer than a claim lease to the same ingest handler
/// IngestExtract runs, since its queued event is handled once (and retried a few times) and nothing else would deliver it again.
/// Then it deletes each event on the poison queue whose file has left landing (<see cref="PoisonedLandingEvents"/>).
/// </summary>
/// <remarks>
/// The tidy is housekeeping beside the sweep, which is the hub's safety net for files: a tidy that fails (the queue
/// unreachable past its retries, access refused, no Queue endpoint configured) is logged at Error level, which monitoring
/// alerts on, and does not fail the run, so a run marked failed always means files failed (or a partner's landing could
/// not be listed), and the tidy's own failure neither hides nor stands in for theirs. It is logged by the exception's type
/// and status code only: the service's message can quote a url, and so a partner's file name. The queue keeps its messages
/// until a later run tidies it.
/// </remarks>
public sealed class SweepLandingFunction(LandingSweep sweep, PoisonedLandingEvents poisoned, ILogger<SweepLandingFunction> log)
{
    /// <summary>The function's name.</summary>
    public const string Name = "SweepLanding";

    /// <summary>Runs one sweep (the schedule is the app setting it names).</summary>
    /// <exception cref="TimerRunFailedException">The sweep itself failed (listing landing, say); the next run tries again.</exception>
    /// <exception cref="LandingSweepFailedException">Some files failed again, or a partner's landing container refused its listing (the others' files were handled): the run is marked failed so it shows in monitoring; they stay for the next sweep. Thrown after the poison queue's tidy, whether or not that tidy failed (a tidy failure alone is logged as an error and fails nothing).</exception>
    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%" + AzureNames.SweepScheduleSetting + "%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            log.LogInformation("SweepLanding is running a missed occurrence.");
        }

        var result = await HostFailures.TimerJobAsync(Name, () => sweep.RunAsync(cancellationToken), log).ConfigureAwait(false);

        // After the pass, so an event whose file this pass handled goes now, not a sweep later.
        try
        {
            await poisoned.TidyAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            log.LogError(
                "Sweep: the landing events poison queue could not be tidied ({ExceptionType}, status {Status}); its messages stay for the next sweep. The sweep itself: {Summary}.",
                ex.GetType().Name,
                HostFailures.RequestFailureOf(ex)?.Status.ToString(CultureInfo.InvariantCulture) ?? "none",
                result.Summary);
        }

        if (result.HasFailures)
        {
            throw new LandingSweepFailedException(result);
        }
    }
}

/// <summary>
/// A sweep in which some files failed again (each logged and audited by its label), or some partner's landing could not be
/// listed (each logged with what to grant): their files stay in landing for the next sweep.
/// </summary>
public sealed class LandingSweepFailedException(LandingSweepResult result)
    : Exception(Describe(result))
{
    /// <summary>The sweep's result.</summary>
    public LandingSweepResult Result { get; } = result!;

    // Only what did fail: files, partners, or both.
    private static string Describe(LandingSweepResult? result)
    {
        if (result is null || !result.HasFailures)
        {
            return $"The landing sweep was marked failed ({result?.Summary}).";
        }

        var failed = new List<string>();
        if (result.Failed > 0)
        {
            failed.Add(string.Create(CultureInfo.InvariantCulture, $"finish {result.Failed} of {result.Outcomes.Count} files"));
        }

        if (result.UnlistedPartners.Count > 0)
        {
            failed.Add(string.Create(CultureInfo.InvariantCulture, $"list the landing of {result.UnlistedPartners.Count} partner(s) (access denied: see the log for what to grant)"));
        }

        return $"The landing sweep could not {string.Join(", nor ", failed)}; the next sweep tries again ({result.Summary}).";
    }
}
