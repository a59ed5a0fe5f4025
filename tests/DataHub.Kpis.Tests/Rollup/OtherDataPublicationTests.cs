using System.Globalization;
using System.Text;
using System.Text.Json;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Kpis.Tests.Disclosure;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The independent verifier over published tables built from other data than the demo's: other seeds, small cohorts,
/// and a hub whose families all started in one cohort.</summary>
public sealed class OtherDataPublicationTests
{
    [Theory]
    [InlineData(1, 5, "")]
    [InlineData(3, 30, "")]
    [InlineData(102, 5, "")]
    [InlineData(144, 8, "")]
    [InlineData(40, 18, "one family each")]
    [InlineData(7, 12, "one family each, first cohort only")]
    [InlineData(166, 9, "one family each, no police or DA programme files")]
    [InlineData(163, 9, "one family each, every third family")]
    [InlineData(399, 80, "one family each, first cohort only")]
    public async Task The_independent_verifier_finds_no_recoverable_count_on_other_seeds_and_cohort_sizes(int seed, int families, string shape)
    {
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = seed, Families = families, GroundTruth = false }).Files, f => Shape(f, shape));
        var outcome = await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath), hub.Local(governance!), oneCohortEach: shape.Contains("one family each", StringComparison.Ordinal));
        published.Rows.Should().Contain(r => r.Marker == "[c]");
        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
            .Select(c => $"{c.Row.Cohort} {c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Row.Breakdown} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task No_cohort_size_can_be_worked_out_from_the_cohort_feed_records_in_link_quality_or_the_governance_tables()
    {
        // Seed 40, 18 families, only the first cohort's three families in the CSC feed: 8 children and 5 adults, published as
        // 10 (8-12) and 5 (5-7). link_quality showed the cohort feed's 13 linked records exactly, and so did the governance
        // deliveries table (rows read and stored of the CSC people file); 13 = 8 + 5 pins both.
        var dataset = SyntheticHub.Generate(new SeedOptions { Seed = 40, Families = 18, GroundTruth = false });
        using var hub = new SeededRollup();
        await hub.IngestAsync(dataset.Files, f => Shape(f, "first cohort only"));
        var outcome = await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath), hub.Local(governance!));
        published.Rows.Should().Contain(r => r.Indicator == "deliveries", "the verifier reads the cohort feed's delivery");
        published.Rows.Where(r => r.Indicator == "cohorts" && r.Cohort == "C1").Select(r => r.Numerator).Should().Equal([null, 10, 5], "families (3, withheld), children, adults");

        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
            .Select(c => $"{c.Row.Cohort} {c.Row.Indicator}.{c.Row.Measure} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task The_run_manifest_gives_no_mart_file_or_secure_table_row_count_that_pins_a_cohort_size()
    {
        // Seed 40, 18 families: the published manifest listed each mart file it read with its rows, and the CSC people file
        // of a cohort's quarter holds that cohort's people. C1 and C5 each had 13 beside 10 children (8-12) and 5 adults (5-7),
        // which only 8 and 5 fit. It listed the secure person and family tables' rows too.
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 40, Families = 18, GroundTruth = false }).Files);
        var outcome = await hub.RollUpAsync();

        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath));
        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
            .Select(c => $"{c.Row.Cohort} {c.Row.Indicator}.{c.Row.Measure} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
        using var manifest = JsonDocument.Parse(await File.ReadAllBytesAsync(hub.Local(outcome.VersionPath + "/manifest.json")));
        var inputs = manifest.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        inputs.Should().NotBeEmpty();
        inputs.Select(i => i.EnumerateObject().Select(p => p.Name)).Should().OnlyContain(names => names.Contains("sha256") && !names.Contains("rows"));
        manifest.RootElement.GetProperty("outputs").EnumerateArray()
            .Where(o => o.GetProperty("path").GetString()!.StartsWith("secure/", StringComparison.Ordinal))
            .Select(o => o.EnumerateObject().Select(p => p.Name).ToList())
            .Should().HaveCount(2).And.OnlyContain(names => names.Contains("sha256") && !names.Contains("rows"));
    }

    [Fact]
    public async Task No_link_quality_count_can_be_worked_out_from_the_rows_the_governance_tables_show()
    {
        // Seed 1, 5 families: the deliveries table shows the mental health feed's 24 rows, exactly. link_quality showed its
        // records rounded (25) with 10 linked, 0 ambiguous and 10 unlinked, which only 12 and 12 fit beside 24.
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 1, Families = 5, GroundTruth = false }).Files);
        var outcome = await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var stored = await DuckDb.QueryAsync($"select sum(rows_stored) from read_parquet({DuckDb.Literal(hub.Local(governance + "/deliveries.parquet"))}) where feed = 'mental-health-scores'");
        var records = await DuckDb.QueryAsync($"select records from read_parquet({DuckDb.Literal(hub.Local(outcome.VersionPath + "/link_quality.parquet"))}) where feed = 'mental-health-scores' and key = 'all'");
        records.Rows.Single()[0].ToString().Should().Be(stored.Rows.Single()[0].ToString(), "a partner feed's records are its rows, public in the governance tables");

        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath), hub.Local(governance!));
        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
            .Select(c => $"{c.Row.Indicator}.{c.Row.Measure} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task A_quarters_cohort_people_get_one_decision_in_every_feeds_coverage_row()
    {
        // Seed 1, 30 families: before the first cohort started, the health feeds' rows showed the quarter's cohort people as none
        // ([z]) and the police and DA programme feeds' withheld them ([c]) with the people reached, which at most the cohort's
        // 0 gave back.
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 1, Families = 30, GroundTruth = false }).Files);
        await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var coverage = await DuckDb.QueryAsync($"""
            select quarter, count(distinct cohort_people), count(distinct coverage_marker), min(coverage_marker), max(cohort_people)
            from read_parquet({DuckDb.Literal(hub.Local(governance + "/scorecard.parquet"))})
            where feed not in ('csc-people', 'health-aggregates') group by quarter order by quarter
            """);

        coverage.Rows.Should().Contain(r => r[3].GetString() == "[z]", "the quarters before the first cohort have nobody")
            .And.Contain(r => r[4].ValueKind != System.Text.Json.JsonValueKind.Null);
        coverage.Rows.Should().OnlyContain(r => long.Parse(r[1].ToString(), CultureInfo.InvariantCulture) <= 1, "one quarter's cohort people are one count");
        coverage.Rows.Where(r => r[3].GetString() == "[z]").Should().OnlyContain(r => r[2].ToString() == "1", "a quarter with nobody is [z] in every feed's row");
    }

    [Fact]
    public async Task The_scorecards_cohort_people_are_the_cohorts_tables_figures_added_up_and_pin_no_size()
    {
        // Seed 305, 22 families, each person in one family, no police or DA programme files: the scorecard's cohort people,
        // rounded on their own, rose from 2017Q4 to 2018Q1 by C2's people and to 2018Q4 by C3's. Beside C2's 10 children and 5
        // adults and C3's 15 and 10 they gave back 8 and 5, and 13 and 8.
        using var hub = new SeededRollup();
        const string shape = "one family each, no police or DA programme files";
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 305, Families = 22, GroundTruth = false }).Files, f => Shape(f, shape));
        var outcome = await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath), hub.Local(governance!), oneCohortEach: true);
        var sizes = published.Rows.Where(r => r.Indicator == "cohorts" && r.Measure is "children" or "adults").ToList();
        var cohorts = await DuckDb.QueryAsync($"select cohort, window_start from read_parquet({DuckDb.Literal(hub.Local(outcome.VersionPath + "/cohorts.parquet"))})");
        var coverage = published.Rows.Where(r => r.Indicator == "coverage" && r.Denominator is > 0).ToList();
        coverage.Should().NotBeEmpty();
        foreach (var row in coverage)
        {
            var end = Quarter.Parse(row.Quarter).End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var started = cohorts.Rows.Where(c => string.CompareOrdinal(c[1].GetString(), end) <= 0).Select(c => c[0].GetString()).ToHashSet();
            row.Denominator.Should().Be(sizes.Where(s => started.Contains(s.Cohort)).Sum(s => s.Numerator), $"{row.Measure} {row.Quarter}: the cohorts table's children and adults added up");
        }

        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
            .Select(c => $"{c.Row.Cohort} {c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task No_coverage_count_can_be_worked_out_from_a_feeds_public_records()
    {
        // Seed 227, 14 families: the DA programmes feed held 10 records (the deliveries table shows its rows), and the
        // scorecard showed 10 cohort people reached (10-12 under the sensitive profile). No more people are reached than
        // there are records, so it was 10.
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = 227, Families = 14, GroundTruth = false }).Files);
        var outcome = await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath), hub.Local(governance!));
        published.Rows.Should().Contain(r => r.Indicator == "coverage" && r.Measure == "da-programmes");
        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
            .Select(c => $"{c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Role} {c.Route} = {c.RecoveredValue}")
            .Should().BeEmpty();
    }

    // The cohort feed reshaped: with "one family each", each person stays in the first family they appear in (nobody in two
    // cohorts); "first cohort only" keeps FAM00001, FAM00007, FAM00013... (families are dealt to the six cohorts in turn);
    // "every third family" keeps those; "no police or DA programme files" leaves those feeds out.
    private static byte[]? Shape(SyntheticFile file, string shape)
    {
        if (shape.Contains("no police", StringComparison.Ordinal) && file.Feed is "police-da-incidents" or "da-programmes")
        {
            return null;
        }

        if (file.Feed != "csc-people" || shape.Length == 0)
        {
            return file.Content;
        }

        var lines = Encoding.UTF8.GetString(file.Content).Split('\n');
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var kept = lines.Skip(1).Where(l => l.Length > 0).Where(l =>
        {
            var family = int.Parse(l[3..8], CultureInfo.InvariantCulture);
            return (!shape.Contains("one family each", StringComparison.Ordinal) || seen.Add(l.Split(',')[1]))
                && (!shape.Contains("first cohort only", StringComparison.Ordinal) || (family - 1) % 6 == 0)
                && (!shape.Contains("every third family", StringComparison.Ordinal) || family % 3 == 0);
        });
        return Encoding.UTF8.GetBytes(string.Join('\n', [lines[0], .. kept]) + "\n");
    }
}
