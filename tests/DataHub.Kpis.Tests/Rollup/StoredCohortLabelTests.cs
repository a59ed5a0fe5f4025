using DataHub.Core.Audit;
using DataHub.Core.Kpis;
using DataHub.Kpis.Tests.Fixtures;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The rollup reads a stored cohort label as the ingest reads a sent one (case, spaces, hyphens and underscores ignored).</summary>
public sealed class StoredCohortLabelTests : IDisposable
{
    private static readonly CohortDefinition C1 = BoundaryFixture.Cohort with { Name = "C1" };
    private readonly FixtureRollup _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_resend_stored_under_the_cohorts_name_replaces_a_row_stored_before_as_sent_and_a_spaced_label_is_the_cohorts()
    {
        // Stored before rules 2026.3 kept the label as the ICB wrote it: "c1", and "C 1" for 2018Q3. The unmatched X stays unmatched.
        var f = new BoundaryFixture();
        var asSent = f.Health.Select(h => h.Cohort != "T" ? h : h with { Cohort = h.Quarter == "2018Q3" ? "C 1" : "c1" }).ToList();
        f.Health.Clear();
        f.Health.AddRange(asSent);
        await MartFileWriter.WriteAsync(_hub.Store, f, batch: "b1");
        // The corrected resend, stored as today's ingest stores it; its batch id sorts before the first's, its commit after.
        await MartFileWriter.WriteHealthAsync(_hub.Store, [new("2018Q1", "C1", "child", "ae_attendances", 12, 4, 7)], "a1");

        var run = await _hub.RunAsync(FixtureRollup.Exact, cohorts: [C1]);

        (await _hub.ValueAsync(run, "2018Q1", "KPI08.people_with_ae_attendances", "age_group:child")).Value.Should().Be(4, "the later delivery replaces the earlier");
        (await _hub.ValueAsync(run, "2018Q1", "KPI08.ae_attendances", "age_group:child")).Value.Should().Be(7);
        (await _hub.ValueAsync(run, "2018Q3", "KPI08.people_with_ae_attendances", "age_group:child")).Should().BeEquivalentTo(new { Value = (double?)4, Marker = "" });
        var published = (await _hub.Audit.ReadAsync(CancellationToken.None).ToListAsync()).Single(e => e.Entry.Kind == AuditKinds.KpiPublished);
        published.Entry.Counts!["health_rows_unmatched_cohort"].Should().Be(1, "only X names no cohort; \"C 1\" is C1");
    }
}
