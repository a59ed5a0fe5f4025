using DataHub.Core.Rollup;
using DataHub.Storage.Azure;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataHub.Functions;

/// <summary>RollupQuarter: on its schedule, links the marts to the cohort and publishes a new version of the KPI tables.</summary>
public sealed class RollupQuarterFunction(RollupQuarter rollup, ILogger<RollupQuarterFunction> log)
{
    /// <summary>Runs the rollup over every quarter (the schedule is the app setting it names).</summary>
    /// <exception cref="TimerRunFailedException">The rollup failed; the next occurrence tries again.</exception>
    [Function(nameof(RollupQuarter))]
    public async Task RunAsync([TimerTrigger("%" + AzureNames.RollupScheduleSetting + "%", UseMonitor = true)] TimerInfo timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        if (timer.IsPastDue)
        {
            log.LogInformation("RollupQuarter is running a missed occurrence.");
        }

        await HostFailures.TimerJobAsync(nameof(RollupQuarter), () => rollup.RunAsync(new RollupRequest(), cancellationToken), log).ConfigureAwait(false);
    }
}
