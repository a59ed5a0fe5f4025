using System.Globalization;
using System.Text.Json;
using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>A hub root holding the boundary fixture's marts, and the RollupQuarter job over it under a chosen profile.</summary>
internal sealed class FixtureRollup : IDisposable
{
    public static readonly DisclosureProfile Exact = new("exact", 0);
    public static readonly DisclosureProfile Standard = new("standard", 4, false, 5, 10);
    private static readonly FixedTime Time = new(new DateTimeOffset(2026, 11, 22, 2, 0, 0, TimeSpan.Zero));
    private readonly TempFolder _root = new("rollup");
    private readonly Dictionary<string, IReadOnlyList<ValueRow>> _values = [];

    public FixtureRollup()
    {
        Store = new LocalObjectStore(_root.Path);
        LocalAuditKeyProvider.Create(_root.Path);
        Audit = new LocalAuditLog(_root.Path, Time);
    }

    public LocalObjectStore Store { get; }

    public LocalAuditLog Audit { get; }

    public string Root => _root.Path;

    public void Dispose() => _root.Dispose();

    public RollupQuarter Job(DisclosureProfile profile, IReadOnlyList<CohortDefinition>? cohorts = null) => new(
        Store,
        Audit,
        Time,
        new RollupSettings { Kpis = new KpiOptions { Cohorts = cohorts ?? [BoundaryFixture.Cohort] }, FallbackProfile = profile });

    public Task<RollupOutcome> RunAsync(DisclosureProfile profile, Quarter? quarter = null, IReadOnlyList<CohortDefinition>? cohorts = null) =>
        Job(profile, cohorts).RunAsync(new RollupRequest(quarter), CancellationToken.None);

    public string Local(string path) => Store.FullPath(path);

    /// <summary>Every kpi_values row of a version, read once by DuckDB.</summary>
    public async Task<IReadOnlyList<ValueRow>> ValuesAsync(RollupOutcome run)
    {
        if (_values.TryGetValue(run.VersionPath, out var cached))
        {
            return cached;
        }

        var r = await DuckDb.QueryAsync($"""
            select cohort, quarter, measure_key, breakdown_type, breakdown_value, numerator, denominator, value, marker, indicator
            from read_parquet({DuckDb.Literal(Local(run.VersionPath + "/kpi_values.parquet"))})
            """);
        var rows = r.Rows.Select(x => new ValueRow(x[0].GetString()!, x[1].GetString()!, x[2].GetString()!, x[3].GetString()!, x[4].GetString()!,
            Long(x[5]), Long(x[6]), x[7].ValueKind == JsonValueKind.Null ? null : Double(x[7]), x[8].GetString()!, x[9].GetString()!)).ToArray();
        _values[run.VersionPath] = rows;
        return rows;
    }

    /// <summary>The one row of a measure in a quarter and breakdown (<c>all</c> or <c>type:value</c>).</summary>
    public async Task<ValueRow> ValueAsync(RollupOutcome run, string quarter, string measureKey, string breakdown = "all") =>
        (await ValuesAsync(run)).Single(r => r.Quarter == quarter && r.MeasureKey == measureKey
            && (r.BreakdownType == "all" ? "all" : r.BreakdownType + ":" + r.BreakdownValue) == breakdown);

    public static long? Long(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => long.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => e.GetInt64(),
    };

    public static double Double(JsonElement e) => e.ValueKind == JsonValueKind.String
        ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture)
        : e.GetDouble();
}

/// <summary>One published kpi_values row as a test reads it.</summary>
internal sealed record ValueRow(
    string Cohort, string Quarter, string MeasureKey, string BreakdownType, string BreakdownValue, long? Numerator, long? Denominator, double? Value, string Marker, string Indicator);
