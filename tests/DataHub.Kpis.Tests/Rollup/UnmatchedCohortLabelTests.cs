using DataHub.Testing;
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
        var log = new LoggedLines();
        var settings = new RollupSettings { Kpis = new KpiOptions { Cohorts = [BoundaryFixture.Cohort] }, FallbackProfile = FixtureRollup.Exact };
        var time = new FixedTime(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));

        await new RollupQuarter(rollup.Store, rollup.Audit, time, settings, log).RunAsync(new RollupRequest(), CancellationToken.None);

        log.Warnings.Should().ContainSingle().Which.Should().Contain("1 stored health-aggregates row(s) in 2018Q1 carry a cohort label (cohort label 1 of 1)")
            .And.Contain("(T)").And.Contain("no KPI uses them").And.NotContain("'X'");
        var published = (await rollup.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Single(e => e.Entry.Kind == AuditKinds.KpiPublished);
        published.Entry.Counts!["health_rows_unmatched_cohort"].Should().Be(1);
        published.Entry.Counts["health_cohort_labels_unmatched"].Should().Be(1);
        published.Entry.Detail.Should().Contain("Stored health-aggregates rows in 2018Q1 carry cohort labels that match none of the cohorts reported").And.NotContain("'X'");
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
        unused.Select(r => r["subject"]).Should().Equal(Enumerable.Range(1, 6).Select(i => $"health-aggregates cohort label {i} of 6"));
        unused.Should().OnlyContain(r => r["status"] == "unused" && long.Parse(r["count"], System.Globalization.CultureInfo.InvariantCulture) > 0
            && r["detail"].Contains("Cohort 1, Cohort 2", StringComparison.Ordinal));
        var report = await File.ReadAllTextAsync(hub.Local($"published/report/board-report-{outcome.Quarters[^1]}.html"));
        report.Should().Contain("Rows stored but used by no KPI").And.Contain("health-aggregates cohort label 1 of 6");
    }

    [Fact]
    public async Task A_stored_cohort_label_holding_a_name_and_a_date_never_reaches_the_log_the_audit_trail_the_governance_tables_or_the_board_report()
    {
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 40, Families = 18, GroundTruth = false }).Files);
        using var logs = new LoggedLines();
        var context = hub.Context with { Logging = logs };
        // Stored before rules 2026.3, when the cohort column was free text screened for NHS numbers, UPNs and postcodes only.
        var keyVersion = (await new MartLoader(context.Store).LoadAsync(CancellationToken.None)).KeyVersion;
        await MartFileWriter.WriteHealthAsync(context.Store,
        [
            new("2018Q1", "Jane Smith 03/04/2015", "child", "ae_attendances", 3, 1, 1),
            new("2018Q2", "Jane Smith 03/04/2015", "adult", "ae_attendances", 3, 1, 1),
            new("2018Q2", "Baby Jones 2016-05-06", "child", "ae_attendances", 2, 1, 1),
        ], "before-2026-3", "2018Q2", keyVersion);

        await RollupQuarter.For(context).RunAsync(new RollupRequest(), CancellationToken.None);

        string[] raw = ["Jane", "Smith", "03/04/2015", "Baby Jones", "2016-05-06"];
        void NoneOf(string text, string where)
        {
            foreach (var value in raw)
            {
                text.Should().NotContain(value, where);
            }
        }

        logs.Lines.Should().Contain(l => l.Contains("none of the cohorts", StringComparison.Ordinal), "the rows are still reported");
        NoneOf(string.Join("\n", logs.Lines), "the log");
        var events = await context.Audit.ReadAsync(CancellationToken.None).ToListAsync();
        NoneOf(string.Join("\n", events.Select(e => System.Text.Json.JsonSerializer.Serialize(e.Entry))), "the audit trail");
        var published = events.Single(e => e.Entry.Kind == AuditKinds.KpiPublished).Entry;
        published.Counts!["health_rows_unmatched_cohort"].Should().Be(3);
        published.Counts["health_cohort_labels_unmatched"].Should().Be(2);

        // Every file the hub wrote outside the secure zone (tables as CSV, manifests, the report, the audit log), then every Parquet table read back.
        foreach (var file in Directory.EnumerateFiles(hub.Root, "*", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(hub.Root, f).StartsWith("secure", StringComparison.Ordinal)))
        {
            NoneOf(await File.ReadAllTextAsync(file), Path.GetRelativePath(hub.Root, file));
        }

        foreach (var parquet in Directory.EnumerateFiles(Path.Combine(hub.Root, "published"), "*.parquet", SearchOption.AllDirectories))
        {
            var rows = await DataHub.Testing.DuckDb.QueryAsync($"select * from read_parquet({DataHub.Testing.DuckDb.Literal(parquet)})");
            NoneOf(string.Join("\n", rows.Rows.Select(r => string.Join(",", r.Select(v => v.GetRawText())))), parquet);
        }

        var governance = await GovernancePublisher.CurrentVersionAsync(context.Store, CancellationToken.None);
        var unused = (await PublishedTable.ReadAsync(context.Store, governance!, "activity", CancellationToken.None)).Records()
            .Where(r => r["activity"] == BoardActivity.UnmatchedCohortLabel).ToArray();
        unused.Select(r => (r["subject"], r["count"])).Should().BeEquivalentTo(
            [("health-aggregates cohort label 1 of 2", "1"), ("health-aggregates cohort label 2 of 2", "2")]);
    }

    [Fact]
    public void Stored_labels_written_differently_but_compared_alike_are_counted_as_one_unmatched_label()
    {
        // "x 1" and "X1" are one label to the ingest and to the rollup's de-duplication, so they are one to the board too.
        HealthAggregateRow[] rows =
        [
            new("2018Q1", "x 1", "child", "ae_attendances", 3, 1, 1),
            new("2018Q2", "X1", "child", "ae_attendances", 3, 1, 1),
            new("2018Q2", "Y", "adult", "ae_attendances", 3, 1, 1),
            new("2018Q2", "T", "adult", "ae_attendances", 3, 1, 1),
        ];

        var labels = UnmatchedCohortLabel.Find(rows, [BoundaryFixture.Cohort]);

        labels.Select(l => (l.Name, l.Rows, string.Join(" ", l.Quarters))).Should().Equal(
            ("cohort label 1 of 2", 2L, "2018Q1 2018Q2"), ("cohort label 2 of 2", 1L, "2018Q2"));
    }
}
