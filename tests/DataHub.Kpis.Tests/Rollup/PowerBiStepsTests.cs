using System.Text.Json;
using System.Text.RegularExpressions;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The DAX-free Power BI steps in README.md and docs/power-bi.md, performed on the demo's published tables: every
/// column and measure they name exists, and their filters alone give one point per cohort and quarter since FS start.</summary>
[Collection(DemoCollection.Name)]
public sealed partial class PowerBiStepsTests(DemoHub demo)
{
    private static readonly string[] Guides = ["README.md", "docs/power-bi.md"];
    private static readonly string?[] Gaps = ["[c]", "[x]", "[z]", "[low]"];

    private string Table(string name) => DuckDb.Literal(demo.Local($"{demo.First.VersionPath}/{name}.parquet"));

    [Fact]
    public async Task Every_table_column_the_steps_name_is_a_column_of_the_published_table()
    {
        var named = Guides.SelectMany(g => ColumnReference().Matches(Guide(g)).Select(m => (Guide: g, Table: m.Groups[1].Value, Column: m.Groups[2].Value)))
            .Distinct().ToArray();
        named.Select(n => n.Guide).Distinct().Should().BeEquivalentTo(Guides, "both guides name the columns to drag");

        var columns = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var table in named.Select(n => n.Table).Distinct())
        {
            var r = await DuckDb.QueryAsync($"select column_name from (describe select * from read_parquet({Table(table)}, hive_partitioning = false))");
            columns[table] = r.Rows.Select(x => x[0].GetString()!).ToHashSet(StringComparer.Ordinal);
        }

        named.Where(n => !columns[n.Table].Contains(n.Column)).Select(n => $"{n.Guide}: {n.Table}[{n.Column}]").Should().BeEmpty();
    }

    [Fact]
    public async Task Every_measure_title_and_key_the_steps_name_picks_exactly_one_published_measure()
    {
        var titles = Guides.SelectMany(g => TitleReference().Matches(Guide(g)).Select(m => (Title: m.Groups[1].Value, Indicator: m.Groups[2].Value))).Distinct().ToArray();
        var keys = Guides.SelectMany(g => MeasureKeyReference().Matches(Guide(g)).Select(m => m.Groups[1].Value)).Distinct().ToArray();
        titles.Should().NotBeEmpty();
        keys.Should().NotBeEmpty();

        var definitions = await DuckDb.QueryAsync($"select title, indicator, measure_key from read_parquet({Table("kpi_definitions")})");
        foreach (var (title, indicator) in titles)
        {
            definitions.Rows.Where(r => r[0].GetString() == title).Select(r => r[1].GetString()).Should().Equal([indicator], title);
        }

        definitions.Rows.Select(r => r[2].GetString()).Should().Contain(keys);
    }

    [Fact]
    public async Task Filtering_one_title_and_breakdown_all_gives_each_cohort_one_point_per_quarter_since_FS_start()
    {
        foreach (var (title, _) in TitleReference().Matches(Guide("README.md")).Select(m => (m.Groups[1].Value, m.Groups[2].Value)))
        {
            // Steps 2 to 5: the relationships, then the visual's filters; nothing is computed.
            var chart = await DuckDb.QueryAsync($"""
                select v.cohort, v.quarters_since_fs_start, v.period, v.value, v.marker, q.label, d.baseline_quarters
                from read_parquet({Table("kpi_values")}) v
                join read_parquet({Table("kpi_definitions")}) d on d.measure_key = v.measure_key
                join read_parquet({Table("quarters")}) q on q.quarter = v.quarter
                where d.title = {DuckDb.Literal(title)} and v.breakdown_type = 'all'
                order by v.cohort, v.quarters_since_fs_start
                """);
            var baseline = (int)Long(chart.Rows[0][6]);
            var byCohort = chart.Rows.GroupBy(r => r[0].GetString()!).ToArray();
            byCohort.Select(g => g.Key).Should().Equal(["C1", "C2", "C3", "C4", "C5", "C6"], title);
            foreach (var points in byCohort)
            {
                var offsets = points.Select(p => (int)Long(p[1])).ToArray();
                offsets.Should().Equal(Enumerable.Range(-baseline, offsets.Length), $"{title}, {points.Key}: one point per quarter, the baseline year first");
                points.Should().OnlyContain(p => p[2].GetString() == (Long(p[1]) < 0 ? "before_fs" : Long(p[1]) == 0 ? "fs_start" : "after_fs"));
                points.Should().OnlyContain(p => p[5].ValueKind == JsonValueKind.String, "every point has its quarter label for the tooltip");
                points.Should().OnlyContain(p => (p[3].ValueKind == JsonValueKind.Null) == Gaps.Contains(p[4].GetString()),
                    "a gap in the line is always a marker a reader can look up");
            }

            chart.Rows.Should().Contain(p => Long(p[1]) > 0 && p[3].ValueKind == JsonValueKind.Number, $"{title} has points after FS start");
        }
    }

    [Fact]
    public async Task The_12_months_before_and_after_chart_is_one_column_per_cohort_and_window_at_the_latest_quarter()
    {
        var keys = MeasureKeyReference().Matches(Guide("docs/power-bi.md")).Select(m => m.Groups[1].Value).Distinct().ToArray();
        keys.Should().Equal("KPI07.overall_absence_rate_12m_before_fs", "KPI07.overall_absence_rate_12m_after_fs");
        var chart = await DuckDb.QueryAsync($"""
            select v.cohort, v.measure_key, v.value, v.marker
            from read_parquet({Table("kpi_values")}) v
            join read_parquet({Table("quarters")}) q on q.quarter = v.quarter
            where v.measure_key in ({string.Join(", ", keys.Select(DuckDb.Literal))}) and v.breakdown_type = 'all'
              and q.quarter = (select quarter from read_parquet({Table("quarters")}) order by sort desc limit 1)
            order by 1, 2
            """);
        chart.Rows.Should().HaveCount(12, "one column per cohort and window");
        chart.Rows.Should().OnlyContain(r => r[2].ValueKind == JsonValueKind.Number, "by the demo's latest quarter every cohort's two windows have closed");
    }

    private static string Guide(string path) => Whitespace().Replace(File.ReadAllText(Path.Combine(RepoPaths.Root, path)), " ");

    private static long Long(JsonElement e) => FixtureRollup.Long(e)!.Value;

    [GeneratedRegex(@"`(kpi_values|kpi_definitions|quarters|cohorts|markers|link_quality)\[(\w+)\]`")]
    private static partial Regex ColumnReference();

    [GeneratedRegex(@"\*([^*]+)\* \((KPI\d\d)\)")]
    private static partial Regex TitleReference();

    [GeneratedRegex(@"`(KPI\d\d\.\w+)`")]
    private static partial Regex MeasureKeyReference();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
