using System.Text;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Disclosure;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The RollupQuarter job over fixture marts: versions, pointer, manifest, audit, disclosure and determinism.</summary>
public sealed class RollupQuarterTests : IDisposable
{
    private static readonly DisclosureProfile Exact = new("exact", 0);
    private static readonly DisclosureProfile Standard = new("standard", 4, false, 5, 10);
    private readonly TempFolder _root = new("rollup");
    private readonly LocalObjectStore _store;
    private readonly LocalAuditLog _audit;

    public RollupQuarterTests()
    {
        _store = new LocalObjectStore(_root.Path);
        LocalAuditKeyProvider.Create(_root.Path);
        _audit = new LocalAuditLog(_root.Path, new FixedTime(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero)));
    }

    public void Dispose() => _root.Dispose();

    private RollupQuarter Job(DisclosureProfile profile) => new(
        _store,
        _audit,
        new FixedTime(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero)),
        new RollupSettings { Kpis = new KpiOptions { Cohorts = [BoundaryFixture.Cohort] }, FallbackProfile = profile });

    private string Local(string path) => _store.FullPath(path);

    [Fact]
    public async Task Publishes_each_table_as_parquet_and_csv_and_switches_current_to_the_new_version()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var outcome = await Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);

        outcome.Quarters.Should().Equal("2018Q1", "2018Q2", "2018Q3");
        foreach (var table in new[] { "kpi_values", "kpi_definitions", "link_quality", "cohorts" })
        {
            File.Exists(Local($"{outcome.VersionPath}/{table}.parquet")).Should().BeTrue(table);
            File.Exists(Local($"{outcome.VersionPath}/{table}.csv")).Should().BeTrue(table);
        }

        (await RollupQuarter.CurrentVersionAsync(_store, CancellationToken.None)).Should().Be(outcome.VersionPath);
        var count = await DuckDb.QueryAsync($"select count(*) as n from read_parquet({DuckDb.Literal(Local(outcome.VersionPath + "/kpi_values.parquet"))})");
        Long(count.Rows[0][0]).Should().Be(outcome.KpiRows);
        var csv = await DuckDb.QueryAsync($"select count(*) as n from read_csv({DuckDb.Literal(Local(outcome.VersionPath + "/kpi_values.csv"))}, header = true)");
        Long(csv.Rows[0][0]).Should().Be(outcome.KpiRows);
        File.Exists(Local($"secure/kpi/v={outcome.RunId}/person_values.parquet")).Should().BeTrue();
        File.Exists(Local($"secure/kpi/v={outcome.RunId}/family_values.parquet")).Should().BeTrue();
    }

    [Fact]
    public async Task Published_values_are_the_computed_indicators_when_the_profile_suppresses_nothing()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var outcome = await Job(Exact).RunAsync(new RollupRequest(Quarter.Parse("2018Q3")), CancellationToken.None);
        var path = DuckDb.Literal(Local(outcome.VersionPath + "/kpi_values.parquet"));
        var r = await DuckDb.QueryAsync($"select numerator, denominator, value from read_parquet({path}) where quarter = '2018Q3' and indicator = 'KPI19' and measure = 'people_flagged' and breakdown = 'all'");
        Long(r.Rows[0][0]).Should().Be(2);
        Long(r.Rows[0][1]).Should().Be(8);
        Double(r.Rows[0][2]).Should().BeApproximately(0.25, 1e-12);
        var change = await DuckDb.QueryAsync($"select value from read_parquet({path}) where indicator = 'KPI17' and measure = 'incidents_change' and breakdown = 'all'");
        Double(change.Rows[0][0]).Should().Be(7);
        var cohorts = await DuckDb.QueryAsync($"select families, children, adults from read_parquet({DuckDb.Literal(Local(outcome.VersionPath + "/cohorts.parquet"))})");
        cohorts.Rows[0].Select(Long).Should().Equal(10, 13, 11);
    }

    [Fact]
    public async Task Suppressed_rows_hide_the_suppressed_count_and_value_and_no_small_count_is_published()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var outcome = await Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);
        var rows = await ReadValuesAsync(outcome.VersionPath);
        rows.Should().Contain(r => r.Marker == "[c]");
        rows.Where(r => r.Marker == "[c]").Should().OnlyContain(r => (r.Numerator == null || r.Denominator == null) && r.Value == null);
        var counts = rows.Where(r => r.Marker is "" or "[c]" && !r.Measure.StartsWith("avg_", StringComparison.Ordinal) && !r.Measure.Contains("absence_rate", StringComparison.Ordinal))
            .SelectMany(r => new[] { r.Numerator, r.Denominator }).OfType<long>();
        counts.Should().NotContain(n => n >= 1 && n <= 4);
    }

    [Fact]
    public async Task The_independent_verifier_recovers_no_suppressed_cell()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var outcome = await Job(new DisclosureProfile("unrounded", 4, false, null, 10)).RunAsync(new RollupRequest(), CancellationToken.None);
        var rows = await ReadValuesAsync(outcome.VersionPath);
        rows.Should().Contain(r => r.Marker == "[c]");
        RecoveryVerifier.FindRecoverableCells(rows, DenominatorQuantities()).Select(c => $"{c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Row.Breakdown} {c.Role} {c.Route}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_inputs_give_the_same_tables_and_the_previous_version_stays_readable()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var first = await Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);
        var second = await Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);

        second.VersionPath.Should().NotBe(first.VersionPath);
        (await RollupQuarter.CurrentVersionAsync(_store, CancellationToken.None)).Should().Be(second.VersionPath);
        foreach (var table in new[] { "kpi_values", "kpi_definitions", "link_quality", "cohorts" })
        {
            File.ReadAllBytes(Local($"{second.VersionPath}/{table}.csv")).Should().Equal(File.ReadAllBytes(Local($"{first.VersionPath}/{table}.csv")), table);
        }
    }

    [Fact]
    public async Task Refuses_marts_pseudonymised_under_another_key_version_and_keeps_the_current_version()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var good = await Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture(), batch: "b2", policeKeyVersion: "v2");

        var act = () => Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);
        (await act.Should().ThrowAsync<KeyVersionMismatchException>()).Which.Feed.Should().Be("police-da-incidents");
        (await RollupQuarter.CurrentVersionAsync(_store, CancellationToken.None)).Should().Be(good.VersionPath);
    }

    [Fact]
    public async Task Records_an_audit_event_citing_the_manifest_with_input_hashes()
    {
        await MartFileWriter.WriteAsync(_store, new BoundaryFixture());
        var outcome = await Job(Standard).RunAsync(new RollupRequest(), CancellationToken.None);

        var events = new List<AuditEvent>();
        await foreach (var e in _audit.ReadAsync(CancellationToken.None))
        {
            events.Add(e);
        }

        var published = events.Single(e => e.Entry.Kind == RollupQuarter.AuditKind);
        published.Entry.FileSha256.Should().Be(outcome.ManifestSha256);
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Local(outcome.VersionPath + "/manifest.json")));
        manifest.RootElement.GetProperty("key_version").GetString().Should().Be("v1");
        var inputs = manifest.RootElement.GetProperty("inputs").EnumerateArray().ToArray();
        inputs.Should().HaveCount(10);
        inputs.Should().OnlyContain(i => i.GetProperty("sha256").GetString()!.Length == 64);
        Encoding.UTF8.GetString(File.ReadAllBytes(Local(outcome.VersionPath + "/manifest.json"))).Should().NotContain("v1:nd-");
    }

    /// <summary>Tells the verifier which quantity each row's denominator is (kpi_definitions publishes the same ids).</summary>
    internal static RecoveryOptions DenominatorQuantities()
    {
        var measures = KpiCatalog.Indicators.SelectMany(i => i.Measures).ToDictionary(m => (m.Indicator, m.Measure));
        return new RecoveryOptions(row =>
        {
            var quantity = measures[(row.Indicator, row.Measure)].Denominator ?? row.Indicator + "." + row.Measure + ".none";
            var quarter = quantity.StartsWith("cohort.", StringComparison.Ordinal) ? "*" : row.Quarter;
            return string.Join('|', row.Cohort, quarter, quantity, row.Breakdown);
        });
    }

    internal static async Task<IReadOnlyList<KpiValueRow>> ReadValuesAsync(string root, string version)
    {
        var r = await DuckDb.QueryAsync($"select cohort, quarter, indicator, measure, breakdown, numerator, denominator, value, marker from read_parquet({DuckDb.Literal(Path.Combine(root, version, "kpi_values.parquet"))})");
        return r.Rows.Select(x => new KpiValueRow(
            x[0].GetString()!, x[1].GetString()!, x[2].GetString()!, x[3].GetString()!, x[4].GetString()!,
            Long(x[5]), Long(x[6]), x[7].ValueKind == JsonValueKind.Null ? null : Double(x[7]), x[8].GetString()!)).ToArray();
    }

    private static long? Long(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => long.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
        _ => e.GetInt64(),
    };

    private static double Double(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(e.GetString()!, System.Globalization.CultureInfo.InvariantCulture)
        : e.GetDouble();

    private Task<IReadOnlyList<KpiValueRow>> ReadValuesAsync(string version) => ReadValuesAsync(_root.Path, version);
}
