using System.Text;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Disclosure;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>Acceptance 2 and 3 on the demo's synthetic families: DuckDB reads the tables, the effects show, nothing leaks, nothing is recoverable.</summary>
public sealed class DemoPublicationTests(DemoHub demo) : IClassFixture<DemoHub>
{
    private string Table(RollupOutcome run, string name) => DuckDb.Literal(demo.Local($"{run.VersionPath}/{name}.parquet"));

    [Fact]
    public async Task DuckDB_reads_every_published_table()
    {
        foreach (var name in new[] { "kpi_values", "kpi_definitions", "link_quality", "cohorts" })
        {
            var r = await DuckDb.QueryAsync($"select count(*) from read_parquet({Table(demo.First, name)})");
            long.Parse(r.Rows[0][0].ToString(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(0, name);
        }

        var cohorts = await DuckDb.QueryAsync($"select cohort from read_parquet({Table(demo.First, "cohorts")}) order by cohort");
        cohorts.Rows.Select(r => r[0].GetString()).Should().Equal("C1", "C2", "C3", "C4", "C5", "C6");
        var links = await DuckDb.QueryAsync($"select sum(linked), sum(unlinked) + sum(ambiguous) from read_parquet({Table(demo.First, "link_quality")}) where key = 'all' and feed = 'police-da-incidents'");
        links.Rows[0].Select(v => v.ToString()).Should().NotContain("0", "the generator sends incidents of cohort people and of outsiders");
    }

    [Fact]
    public async Task Published_values_show_fewer_DA_incidents_after_FS_start_than_before()
    {
        // The latest quarter: every cohort's 12 months after FS start are complete. Sum over cohorts whose counts are published.
        var sql = $"""
            with v as (select * from read_parquet({Table(demo.First, "kpi_values")})
                       where indicator = 'KPI17' and measure = 'incidents_change' and breakdown = 'all'
                         and quarter = (select max(quarter) from read_parquet({Table(demo.First, "kpi_values")})))
            select sum(numerator), sum(denominator), count(*) from v where marker = ''
            """;
        var r = await DuckDb.QueryAsync(sql);
        var after = long.Parse(r.Rows[0][0].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var before = long.Parse(r.Rows[0][1].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        long.Parse(r.Rows[0][2].ToString(), System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThan(0, "some cohorts publish the comparison");
        after.Should().BeLessThan(before);
    }

    [Fact]
    public async Task Published_values_show_attendance_improving_after_FS_start()
    {
        var sql = $"""
            with v as (select * from read_parquet({Table(demo.First, "kpi_values")})
                       where indicator = 'KPI07' and breakdown = 'all' and marker = ''
                         and quarter = (select max(quarter) from read_parquet({Table(demo.First, "kpi_values")})))
            select sum(numerator) filter (where measure = 'overall_absence_rate_12m_before_fs') / sum(denominator) filter (where measure = 'overall_absence_rate_12m_before_fs'),
                   sum(numerator) filter (where measure = 'overall_absence_rate_12m_after_fs') / sum(denominator) filter (where measure = 'overall_absence_rate_12m_after_fs')
            from v
            """;
        var r = await DuckDb.QueryAsync(sql);
        var before = double.Parse(r.Rows[0][0].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        var after = double.Parse(r.Rows[0][1].ToString(), System.Globalization.CultureInfo.InvariantCulture);
        after.Should().BeLessThan(before);
    }

    [Fact]
    public void The_same_inputs_give_the_same_tables_and_suppression_pattern_run_after_run()
    {
        foreach (var name in new[] { "kpi_values", "kpi_definitions", "link_quality", "cohorts" })
        {
            File.ReadAllBytes(demo.Local($"{demo.Second.VersionPath}/{name}.csv"))
                .Should().Equal(File.ReadAllBytes(demo.Local($"{demo.First.VersionPath}/{name}.csv")), name);
        }
    }

    [Fact]
    public async Task The_independent_verifier_recovers_no_suppressed_cell_of_the_demo()
    {
        // The demo's profiles round to 5 and the verifier takes published values as exact, so rounding alone makes false
        // alarms. It is run on the same suppression pattern with exact counts (a reader knowing more than the published
        // table): nothing recoverable there means nothing recoverable from the rounded table. The published table itself
        // must not give a suppressed count away in another row or beside a value.
        var published = await RollupQuarterTests.ReadValuesAsync(demo.Root, Path.Combine("published", "kpi", "v=" + demo.First.RunId));
        published.Should().Contain(r => r.Marker == "[c]");
        published.Zip(demo.Unrounded).Where(p => p.First.Marker != p.Second.Marker)
            .Select(p => $"{p.First.Cohort} {p.First.Quarter} {p.First.Indicator}.{p.First.Measure} {p.First.Breakdown}: {p.First.Numerator}/{p.First.Denominator} {p.First.Marker} vs {p.Second.Numerator}/{p.Second.Denominator} {p.Second.Marker}")
            .Should().BeEmpty("rounding does not change the suppression pattern");
        Describe(RecoveryVerifier.FindRecoverableCells(published, RollupQuarterTests.DenominatorQuantities()).Where(c => c.Route != RecoveryRoute.Margins))
            .Should().BeEmpty();

        var exact = demo.Unrounded.Select(v => new KpiValueRow(v.Cohort, v.Quarter, v.Indicator, v.Measure, v.Breakdown, v.Numerator, v.Denominator, v.Value, v.Marker)).ToArray();
        Describe(RecoveryVerifier.FindRecoverableCells(exact, RollupQuarterTests.DenominatorQuantities())).Should().BeEmpty();
    }

    private static IEnumerable<string> Describe(IEnumerable<RecoverableCell> cells) =>
        cells.Select(c => $"{c.Row.Cohort} {c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Row.Breakdown} {c.Role} {c.Route}");

    [Fact]
    public void No_raw_identifier_name_or_date_of_birth_reaches_a_published_or_secure_KPI_file_or_the_audit()
    {
        var files = new[] { "published/kpi", "secure/kpi", "audit" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(demo.Root, folder), "*", SearchOption.AllDirectories))
            .ToArray();
        files.Should().NotBeEmpty();
        var raw = demo.Dataset.RawValues.All.Where(v => v.Length >= 6).Distinct().ToArray();
        foreach (var file in files)
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(file));
            raw.Where(v => text.Contains(v, StringComparison.OrdinalIgnoreCase)).Should().BeEmpty(file);
        }
    }
}
