using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Core.Rollup;

namespace DataHub.Kpis.Tests.Kpis;

/// <summary>
/// The KPI17 window rule on a hand-built family: two adults being worked with, FS start 10 January 2018 (cohort W:
/// January–March 2018). P's incidents sit on the window edges; S is one incident with both adults party to it.
/// </summary>
public sealed class DomesticAbuseWindowTests
{
    private static readonly CohortDefinition Cohort = new("W", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31));
    private static readonly DateOnly FsStart = new(2018, 1, 10);

    private static readonly Lazy<KpiResults> Results = new(() =>
    {
        CscPersonRow Adult(string id, int year) =>
            new(new PersonKeys(NameDob: "v1:nd-" + id, Local: "v1:csc-" + id), "F1", null, year, 1, "U", "parent", FsStart, null, "North", false, false, true);
        DaIncidentRow Incident(string person, string id, DateOnly date, string role = "victim") =>
            new(new PersonKeys(NameDob: "v1:nd-" + person), id, date, role, true, false);

        var index = CohortIndex.Build([Adult("P", 1980), Adult("Q", 1982)]);
        var builder = new LinkedInputsBuilder(index);
        foreach (var incident in new[]
        {
            Incident("P", "A", FsStart.AddDays(-366)),   // 2017-01-09: a day too early for the window before
            Incident("P", "B", FsStart.AddDays(-365)),   // 2017-01-10: the first day of the window before
            Incident("P", "C", FsStart.AddDays(-1)),     // 2018-01-09: its last day
            Incident("P", "D", FsStart),                 // 2018-01-10: the first day of the window after
            Incident("P", "S", new DateOnly(2018, 6, 1)),
            Incident("Q", "S", new DateOnly(2018, 6, 1), "perpetrator"),
            Incident("P", "E", FsStart.AddDays(364)),    // 2019-01-09: the last day of the window after
            Incident("P", "F", FsStart.AddDays(365)),    // 2019-01-10: a day too late
        })
        {
            builder.Add(incident);
        }

        var quarters = Quarter.Range(Quarter.Parse("2017Q1"), Quarter.Parse("2019Q1")).ToArray();
        return new KpiCalculator(new KpiOptions { Cohorts = [Cohort] }).Compute(builder.Build(), quarters);
    });

    private static readonly Lazy<IReadOnlyList<PublishedKpiValue>> Published = new(() =>
        new KpiPublisher(new Dictionary<string, DisclosureProfile>(), new DisclosureProfile("exact", 0)).Publish(Results.Value).Values);

    private static long? Cell(string quantity) => Results.Value.Cells.Single(c => c.Quarter == null && c.Quantity == quantity && c.Breakdown == "all").Value;

    private static PublishedKpiValue Row(string quarter, string measure) =>
        Published.Value.Single(v => v.Quarter == quarter && v.MeasureKey == "KPI17." + measure && v.BreakdownType == "all");

    [Fact]
    public void Windows_before_and_after_FS_start_are_365_days_each()
    {
        Cell("KPI17.incidents_12m_before_fs").Should().Be(2, "B and C: A is 366 days before FS start");
        Cell("KPI17.incidents_12m_after_fs").Should().Be(3, "D, S and E: F is 365 days after FS start, the 366th day");
        Cell("KPI17.repeats_12m_before_fs").Should().Be(1, "C follows B");
        Cell("KPI17.repeats_12m_after_fs").Should().Be(2, "S and E follow D for P; S is Q's first, and counts once");
    }

    [Fact]
    public void An_incident_with_two_cohort_adults_counts_once()
    {
        Row("2018Q2", "incidents_in_quarter").Value.Should().Be(1, "S has two adults of the cohort as parties");
        var families = FamilyValues.From(Results.Value.PersonValues).Where(f => f.Quarter == null && f.Quantity == "KPI17.incidents_12m_after_fs");
        families.Should().ContainSingle().Which.Value.Should().Be(3, "the family's two adults share S");
    }

    [Fact]
    public void The_change_is_not_applicable_until_every_window_after_FS_start_has_closed_and_says_which_days_it_covers()
    {
        // The cohort's last possible FS start is 31 March 2018, so its windows after close on 30 March 2019.
        foreach (var quarter in new[] { "2018Q1", "2018Q2", "2018Q3", "2018Q4" })
        {
            Row(quarter, "incidents_change").Should().BeEquivalentTo(new { Numerator = (long?)null, Denominator = (long?)null, Value = (double?)null, Marker = "[z]" }, quarter);
            Row(quarter, "incidents_12m_after_fs").Marker.Should().Be("[z]");
            Row(quarter, "incidents_12m_before_fs").Value.Should().Be(2, "the window before is closed from the first quarter");
        }

        Row("2019Q1", "incidents_change").Should().BeEquivalentTo(new
        {
            Numerator = (long?)3,
            Denominator = (long?)2,
            Value = (double?)1,
            Marker = "",
            Window = "12m_before_and_after_fs",
            WindowStart = new DateOnly(2017, 1, 1),
            WindowEnd = new DateOnly(2019, 3, 30),
        });
        Row("2019Q1", "repeats_change").Value.Should().Be(1);
    }

    [Fact]
    public void The_quarterly_count_runs_from_the_baseline_year_counting_incidents_before_FS_start_then_from_it()
    {
        Published.Value.Where(v => v.MeasureKey == "KPI17.incidents_in_quarter" && v.BreakdownType == "all")
            .Select(v => (v.Quarter, v.QuartersSinceFsStart, v.Period, v.Value))
            .Should().Equal(
                ("2017Q1", -4, "before_fs", 2),   // A and B
                ("2017Q2", -3, "before_fs", 0),
                ("2017Q3", -2, "before_fs", 0),
                ("2017Q4", -1, "before_fs", 0),
                ("2018Q1", 0, "fs_start", 1),     // D; C is before FS start
                ("2018Q2", 1, "after_fs", 1),     // S, once
                ("2018Q3", 2, "after_fs", 0),
                ("2018Q4", 3, "after_fs", 0),
                ("2019Q1", 4, "after_fs", 2));    // E and F: a quarter is not a window
    }
}
