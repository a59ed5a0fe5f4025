using DataHub.Core.Retention;
using DataHub.Storage.Azure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataHub.Functions;

/// <summary>EnforceRetention: on its schedule, deletes raw, quarantined and mart files past their agreement's retention, auditing each.</summary>
public sealed class EnforceRetentionFunction(EnforceRetention retention, ILogger<EnforceRetentionFunction> log)
{
    /// <summary>Runs the retention job (the schedule is the app setting it names).</summary>
    /// <exception cref="TimerRunFailedException">The job failed; the next occurrence tries again.</exception>
    [Function(nameof(EnforceRetention))]
    public async Task RunAsync([TimerTrigger("%" + AzureNames.RetentionScheduleSetting + "%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            log.LogInformation("EnforceRetention is running a missed occurrence.");
        }

        await HostFailures.TimerJobAsync(nameof(EnforceRetention), () => retention.RunAsync(cancellationToken), log).ConfigureAwait(false);
    }
}
