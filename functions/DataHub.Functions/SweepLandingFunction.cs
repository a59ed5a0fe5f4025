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
public sealed class SweepLandingFunction(LandingSweep sweep, PoisonedLandingEvents poisoned, ILogger<SweepLandingFunction> log)
{
    /// <summary>The function's name.</summary>
    public const string Name = "SweepLanding";

    /// <summary>Runs one sweep (the schedule is the app setting it names).</summary>
    /// <exception cref="LandingSweepFailedException">Some files failed again: the run is marked failed so it shows in monitoring; they stay for the next sweep.</exception>
    [Function(Name)]
    public async Task RunAsync([TimerTrigger("%" + AzureNames.SweepScheduleSetting + "%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            log.LogInformation("SweepLanding is running a missed occurrence.");
        }

        var result = await sweep.RunAsync(cancellationToken).ConfigureAwait(false);

        // After the pass, so an event whose file this pass handled goes now, not a sweep later.
        await poisoned.TidyAsync(cancellationToken).ConfigureAwait(false);
        if (result.Failed > 0)
        {
            throw new LandingSweepFailedException(result);
        }
    }
}

/// <summary>A sweep in which some files failed again (each logged and audited by its label): they stay in landing for the next sweep.</summary>
public sealed class LandingSweepFailedException(LandingSweepResult result)
    : Exception($"The landing sweep could not finish {result?.Failed} of {result?.Outcomes.Count} files; they stay in landing for the next sweep ({result?.Summary}).")
{
    /// <summary>The sweep's result.</summary>
    public LandingSweepResult Result { get; } = result!;
}
