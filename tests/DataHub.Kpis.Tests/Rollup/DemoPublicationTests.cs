using System.Globalization;
using System.Text;
using System.Text.Json;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Disclosure;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The demo's synthetic families, published: DuckDB reads the tables, nothing is recoverable, missing is never zero,
/// a Power BI chart needs filters only, the effects show, nothing leaks.</summary>
[Collection(DemoCollection.Name)]
public sealed class DemoPublicationTests(DemoHub demo)
{
    private static readonly string[] Tables = ["kpi_values", "kpi_definitions", "markers", "quarters", "link_quality", "cohorts"];

    private string Table(string name) => DuckDb.Literal(demo.Local($"{demo.First.VersionPath}/{name}.parquet"));

    [Fact]
    public async Task DuckDB_reads_every_published_table()
    {
        foreach (var name in Tables)
        {
            var r = await DuckDb.QueryAsync($"select count(*) from read_parquet({Table(name)})");
            Long(r.Rows[0][0]).Should().BeGreaterThan(0, name);
        }

        var cohorts = await DuckDb.QueryAsync($"select cohort from read_parquet({Table("cohorts")}) order by cohort");
        cohorts.Rows.Select(r => r[0].GetString()).Should().Equal("C1", "C2", "C3", "C4", "C5", "C6");
        var links = await DuckDb.QueryAsync($"select sum(linked), sum(unlinked) + sum(ambiguous) from read_parquet({Table("link_quality")}) where key = 'all' and feed = 'police-da-incidents'");
        links.Rows[0].Select(v => v.ToString()).Should().NotContain("0", "the generator sends incidents of cohort people and of outsiders");
    }

    [Fact]
    public async Task The_independent_verifier_finds_no_recoverable_count_in_the_demo_tables()
    {
        var governance = await GovernancePublisher.CurrentVersionAsync(demo.Context.Store, CancellationToken.None);
        var published = await PublishedTables.ReadAsync(demo.Local(demo.First.VersionPath), demo.Local(governance!));
        published.Rows.Should().Contain(r => r.Marker == "[c]").And.Contain(r => r.Marker == "[u]" && r.Value != null)
            .And.Contain(r => r.Marker == "" && r.Numerator % 5 == 0 && r.Numerator > 0, "the tables round and withhold, so the attacks have something to try");

        var found = RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options());

        found.Select(c => $"{c.Row.Cohort} {c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Row.Breakdown} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task A_withheld_row_shows_no_number_and_a_shown_count_is_the_exact_count_rounded()
    {
        var withheld = await DuckDb.QueryAsync($"select count(*) from read_parquet({Table("kpi_values")}) where marker in ('[c]', '[x]') and (numerator is not null or denominator is not null or value is not null)");
        Long(withheld.Rows[0][0]).Should().Be(0);

        var shown = await DuckDb.QueryAsync($"select cohort, quarter, measure_key, breakdown_type, breakdown_value, numerator from read_parquet({Table("kpi_values")}) where unit = 'count' and marker = ''");
        var exact = demo.Exact.Rows.ToDictionary(r => (r.Cohort, r.Quarter, r.Measure.Key, r.Breakdown), r => r.Numerator.Value);
        shown.Rows.Should().NotBeEmpty();
        foreach (var row in shown.Rows)
        {
            var breakdown = row[3].GetString() == "all" ? "all" : row[3].GetString() + ":" + row[4].GetString();
            var truth = exact[(row[0].GetString()!, row[1].GetString()!, row[2].GetString()!, breakdown)]!.Value;
            Long(row[5]).Should().Be((truth * 2 + 5) / 10 * 5, "counts are rounded half up to the nearest 5");
        }
    }

    [Fact]
    public async Task Quarters_a_feed_was_not_received_for_are_not_available_never_zero()
    {
        // The ICB's return starts at each cohort's first quarter, so the baseline year of A&E attendances was never received.
        var health = await DuckDb.QueryAsync($"select distinct marker from read_parquet({Table("kpi_values")}) where indicator = 'KPI08' and period = 'before_fs'");
        health.Rows.Select(r => r[0].GetString()).Should().Equal("[x]");
        // The mental health trust's last score is dated October 2020: its monthly feed covers no later month.
        var scores = await DuckDb.QueryAsync($"select distinct marker from read_parquet({Table("kpi_values")}) where indicator = 'KPI15' and quarter = '2021Q1'");
        scores.Rows.Select(r => r[0].GetString()).Should().Equal("[x]");
        var received = await DuckDb.QueryAsync($"select count(*) from read_parquet({Table("kpi_values")}) where indicator = 'KPI15' and quarter = '2020Q3' and marker <> '[x]'");
        Long(received.Rows[0][0]).Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_before_after_chart_per_cohort_needs_only_filters()
    {
        // The Power BI steps in docs/power-bi.md: relate kpi_values to kpi_definitions (measure_key) and quarters (quarter);
        // filter one measure and breakdown_type = all; x axis quarters_since_fs_start, legend period, small multiples by cohort.
        var chart = await DuckDb.QueryAsync($"""
            select v.cohort, v.quarters_since_fs_start, v.period, count(*) as points, min(v.value) as value, min(d.title) as title, min(q.label) as label
            from read_parquet({Table("kpi_values")}) v
            join read_parquet({Table("kpi_definitions")}) d using (measure_key)
            join read_parquet({Table("quarters")}) q using (quarter)
            where v.measure_key = 'KPI07.unauthorised_absence_rate' and v.breakdown_type = 'all'
            group by all order by 1, 2
            """);
        var byCohort = chart.Rows.GroupBy(r => r[0].GetString()!).ToDictionary(g => g.Key, g => g.ToArray());
        byCohort.Keys.Should().BeEquivalentTo(["C1", "C2", "C3", "C4", "C5", "C6"]);
        foreach (var (cohort, points) in byCohort)
        {
            var offsets = points.Select(p => (int)Long(p[1])!).ToArray();
            offsets.Should().Equal(Enumerable.Range(-4, offsets.Length), $"{cohort} has one point per quarter from four quarters before FS start");
            points.Should().OnlyContain(p => Long(p[3]) == 1, "one row per point, so Power BI's default sum is the value itself");
            points.Where(p => Long(p[1]) < 0).Should().OnlyContain(p => p[2].GetString() == "before_fs");
            points.Should().Contain(p => Long(p[1]) > 0 && p[2].GetString() == "after_fs");
            points.Where(p => Long(p[1]) < 0).Should().Contain(p => p[4].ValueKind == JsonValueKind.Number, $"{cohort}'s baseline year has values");
        }

        var types = await DuckDb.QueryAsync($"select quarter_start, quarter_end, quarters_since_fs_start from read_parquet({Table("kpi_values")}) limit 1");
        types.Types.Should().Equal("DATE", "DATE", "INTEGER");
        var duplicates = await DuckDb.QueryAsync($"select count(*) from (select cohort, quarter, measure_key, breakdown_type, breakdown_value from read_parquet({Table("kpi_values")}) group by all having count(*) > 1)");
        Long(duplicates.Rows[0][0]).Should().Be(0);
        var unjoined = await DuckDb.QueryAsync($"select count(*) from read_parquet({Table("kpi_values")}) v anti join read_parquet({Table("quarters")}) q using (quarter)");
        Long(unjoined.Rows[0][0]).Should().Be(0, "the quarter dimension holds every quarter kpi_values uses");
    }

    [Fact]
    public async Task The_effects_built_into_the_generator_show_before_and_after_FS_start()
    {
        // Attendance: published, from the fixed windows; every cohort's absence falls.
        var absence = await DuckDb.QueryAsync($"""
            select cohort, max(value) filter (where measure = 'overall_absence_rate_12m_before_fs'), max(value) filter (where measure = 'overall_absence_rate_12m_after_fs')
            from read_parquet({Table("kpi_values")}) where indicator = 'KPI07' and breakdown_type = 'all' and marker in ('', '[u]') group by cohort
            """);
        absence.Rows.Should().HaveCount(6);
        absence.Rows.Should().OnlyContain(r => r[2].GetDouble() < r[1].GetDouble());

        // DA incidents: the sensitive profile withholds the small after-FS counts, so the fall is checked on the exact secure figures.
        foreach (var cohort in demo.Exact.Cohorts)
        {
            long? Cell(string quantity) => demo.Exact.Cells.Single(c => c.Cohort == cohort.Definition.Name && c.Quarter == null && c.Quantity == quantity && c.Breakdown == "all").Value;
            Cell("KPI17.incidents_12m_after_fs").Should().BeLessThan(Cell("KPI17.incidents_12m_before_fs")!.Value, cohort.Definition.Name);
        }
    }

    [Fact]
    public void The_same_inputs_give_the_same_tables_and_suppression_pattern_run_after_run()
    {
        foreach (var name in Tables)
        {
            File.ReadAllBytes(demo.Local($"{demo.Second.VersionPath}/{name}.csv"))
                .Should().Equal(File.ReadAllBytes(demo.Local($"{demo.First.VersionPath}/{name}.csv")), name);
        }
    }

    [Fact]
    public void No_raw_identifier_name_or_date_of_birth_reaches_a_published_or_secure_KPI_file_or_the_audit()
    {
        var files = new[] { "published/kpi", "secure/kpi", "audit" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(demo.Root, folder), "*", SearchOption.AllDirectories))
            .ToArray();
        files.Should().NotBeEmpty();
        var raw = demo.Dataset.RawValues.All.Where(v => v.Length >= 6).Select(v => v.ToLowerInvariant()).Distinct().ToArray();
        foreach (var file in files)
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file)).ToLowerInvariant();
            raw.Where(v => text.Contains(v, StringComparison.Ordinal)).Should().BeEmpty(file);
        }
    }

    private static long? Long(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => long.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => e.GetInt64(),
    };
}
