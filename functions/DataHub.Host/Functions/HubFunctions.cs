using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Retention;
using DataHub.Core.Rollup;

namespace DataHub.Host.Functions;

/// <summary>The three functions over one <see cref="HubContext"/>: the same handlers the embedded host runs.</summary>
public sealed class HubFunctions(HubContext hub) : IHubFunctions
{
    /// <inheritdoc />
    public async Task<FunctionResult> IngestAsync(string landingPath, string? eTag, CancellationToken cancellationToken)
    {
        var outcome = await new IngestExtract(hub).HandleAsync(landingPath, eTag, cancellationToken).ConfigureAwait(false);

        // A failed attempt leaves the file in landing with the failure counted in its receipt; the host's retry is the next attempt.
        return new FunctionResult(Embedded.EmbeddedRunner.Describe(outcome), Retry: outcome.Status == IngestStatus.Failed);
    }

    /// <inheritdoc />
    public async Task<FunctionResult> RollupAsync(TimerTriggerEvent timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var outcome = await RollupQuarter.For(hub).RunAsync(new RollupRequest(), cancellationToken).ConfigureAwait(false);
        return new FunctionResult((timer.IsPastDue ? "(past due) " : string.Empty) + Commands.RollupCommand.Describe(outcome));
    }

    /// <inheritdoc />
    public async Task<FunctionResult> EnforceRetentionAsync(TimerTriggerEvent timer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(timer);
        var outcome = await new EnforceRetention(hub).RunAsync(cancellationToken).ConfigureAwait(false);
        return new FunctionResult((timer.IsPastDue ? "(past due) " : string.Empty) + outcome.Summary);
    }
}
