using System.Globalization;
using System.Text;
using System.Text.Json;
using DataHub.Core.Governance;
using DataHub.Kpis.Tests.Disclosure;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The independent verifier over published tables built from other data than the demo's: other seeds, small cohorts,
/// and a hub whose families all started in one cohort.</summary>
public sealed class OtherDataPublicationTests
{
    [Theory]
    [InlineData(1, 5)]
    [InlineData(3, 30)]
    public async Task The_independent_verifier_finds_no_recoverable_count_on_other_seeds_and_cohort_sizes(int seed, int families)
    {
        using var hub = new SeededRollup();
        await hub.IngestAsync(SyntheticHub.Generate(new SeedOptions { Seed = seed, Families = families, GroundTruth = false }).Files);
        var outcome = await hub.RollUpAsync();

        var governance = await GovernancePublisher.CurrentVersionAsync(hub.Context.Store, CancellationToken.None);
        var published = await PublishedTables.ReadAsync(hub.Local(outcome.VersionPath), hub.Local(governance!));
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
        await hub.IngestAsync(dataset.Files, f => f.Feed == "csc-people" ? FirstCohortOnly(f.Content) : f.Content);
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

    // The CSC people extract with only FAM00001, FAM00007, FAM00013 (families are dealt to the six cohorts in turn).
    private static byte[] FirstCohortOnly(byte[] content)
    {
        var lines = Encoding.UTF8.GetString(content).Split('\n');
        var kept = lines.Skip(1).Where(l => l.Length > 0 && (int.Parse(l[3..8], CultureInfo.InvariantCulture) - 1) % 6 == 0);
        return Encoding.UTF8.GetBytes(string.Join('\n', [lines[0], .. kept]) + "\n");
    }
}
