using DataHub.Core.Audit;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Report;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Seeds;
using Microsoft.Extensions.Logging;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>Stored health aggregate rows whose cohort label names no configured cohort are used by no KPI, and the rollup says so.</summary>
public sealed class UnmatchedCohortLabelTests
{
    [Fact]
    public async Task The_rollup_warns_and_audits_stored_health_rows_whose_cohort_label_matches_no_cohort()
    {
        // The boundary fixture's health rows are for cohort T, plus one 2018Q1 row labelled X, which no cohort is.
        using var rollup = new FixtureRollup();
        await MartFileWriter.WriteAsync(rollup.Store, new BoundaryFixture());
        var log = new WarningLog();
        var settings = new RollupSettings { Kpis = new KpiOptions { Cohorts = [BoundaryFixture.Cohort] }, FallbackProfile = FixtureRollup.Exact };
        var time = new FixedTime(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));

        await new RollupQuarter(rollup.Store, rollup.Audit, time, settings, log).RunAsync(new RollupRequest(), CancellationToken.None);

        log.Warnings.Should().ContainSingle().Which.Should().Contain("1 stored health-aggregates row(s) (2018Q1) carry cohort label 'X'")
            .And.Contain("(T)").And.Contain("no KPI uses them");
        var published = (await rollup.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Single(e => e.Entry.Kind == AuditKinds.KpiPublished);
        published.Entry.Counts!["health_rows_unmatched_cohort"].Should().Be(1);
        published.Entry.Detail.Should().Contain("cohort label 'X'");
    }

    [Fact]
    public async Task Health_rows_stored_before_the_cohorts_were_renamed_are_shown_to_the_governance_board_as_used_by_no_KPI()
    {
        // Ingested under the toolkit's cohort labels (C1-C6), rolled up after the cohorts were renamed: every health row is unused.
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 40, Families = 18, GroundTruth = false }).Files);
        var renamed = CohortDefinition.ToolkitDefaults.Select(c => c with { Name = "Cohort " + c.Name[1..] }).ToArray();
        var context = hub.Context with { Kpis = new KpiOptions { Cohorts = renamed } };

        var outcome = await RollupQuarter.For(context).RunAsync(new RollupRequest(), CancellationToken.None);

        var governance = await GovernancePublisher.CurrentVersionAsync(context.Store, CancellationToken.None);
        var activity = await PublishedTable.ReadAsync(context.Store, governance!, "activity", CancellationToken.None);
        var unused = activity.Records().Where(r => r["activity"] == BoardActivity.UnmatchedCohortLabel).ToArray();
        unused.Select(r => r["subject"]).Should().Contain("health-aggregates cohort 'C1'");
        unused.Should().OnlyContain(r => r["status"] == "unused" && long.Parse(r["count"], System.Globalization.CultureInfo.InvariantCulture) > 0
            && r["detail"].Contains("Cohort 1, Cohort 2", StringComparison.Ordinal));
        var report = await File.ReadAllTextAsync(hub.Local($"published/report/board-report-{outcome.Quarters[^1]}.html"));
        report.Should().Contain("Rows stored but used by no KPI").And.Contain("health-aggregates cohort &#39;C1&#39;");
    }

    private sealed class WarningLog : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Warnings.Add(formatter(state, exception));
            }
        }
    }
}
