using DataHub.Core.Hub;
using DataHub.Core.Kpis;
using DataHub.Core.Report;
using DataHub.Core.Rollup;

namespace DataHub.Core.Governance;

/// <summary>What the rollup does after publishing the KPI tables: the governance tables, then the board report for the latest quarter.</summary>
public static class GovernanceStep
{
    /// <summary>Publishes the governance tables from the audit log and writes <c>published/report/board-report-{latest quarter}.html</c> (the rollup runs this only when its KPI version was made current).</summary>
    public static async Task AfterRollupAsync(HubContext hub, RollupSettings settings, LoadedMarts marts, RollupOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(outcome);
        var governance = await new GovernancePublisher(hub, settings).PublishAsync(marts, outcome.Started, cancellationToken).ConfigureAwait(false);

        // Superseded or cleared: a later publication's tables are current (or coming), and that one writes the report.
        if (governance.SupersededBy is null && !governance.ClearedAsAbandoned && outcome.Quarters.Count > 0)
        {
            await BoardReport.WriteAsync(hub.Store, hub.Protocols, Quarter.Parse(outcome.Quarters[^1]), hub.Time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
    }
}
