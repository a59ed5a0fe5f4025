using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Rollup;

namespace DataHub.Kpis.Tests.Kpis;

/// <summary>The cohorts are one list, read alike by the ingest and the rollup.</summary>
public sealed class CohortOptionsTests
{
    [Fact]
    public void Refuses_two_cohorts_whose_names_a_partner_could_not_tell_apart()
    {
        // The ingest reads "C-1", "c 1" and "C1" as one label: two cohorts so named would take each other's rows.
        var window = CohortDefinition.ToolkitDefaults[0];
        var configure = () => new KpiOptions { Cohorts = [window with { Name = "C-1" }, window with { Name = "C1" }] };

        configure.Should().Throw<ArgumentException>().WithMessage("*'C-1'*'C1'*");
    }

    [Fact]
    public void The_rollup_and_governance_refuse_settings_whose_cohorts_are_not_the_hubs()
    {
        using var hub = new SeededRollup();
        var renamed = new RollupSettings { Kpis = new KpiOptions { Cohorts = [CohortDefinition.ToolkitDefaults[0] with { Name = "FS1" }] } };

        var rollup = () => RollupQuarter.For(hub.Context, renamed);
        var governance = () => new GovernancePublisher(hub.Context, renamed);

        rollup.Should().Throw<ArgumentException>().WithMessage("*FS1*C1, C2*");
        governance.Should().Throw<ArgumentException>().WithMessage("*FS1*C1, C2*");
        RollupQuarter.For(hub.Context, RollupSettings.FromProtocols(hub.Context.Protocols)).Should().NotBeNull();
    }
}
