using System.Globalization;
using System.Text.Json;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>
/// A published KPI version as a reader gets it, read with DuckDB (not our Parquet code): kpi_values and the cohorts table as
/// rows for the verifier, and from kpi_definitions what a reader is told: which quantity each numerator and denominator is
/// (and whether it is the same in every quarter), which are counts, and the threshold and rounding each is published under.
/// </summary>
internal sealed class PublishedTables
{
    private readonly Dictionary<string, Definition> _definitions;

    private PublishedTables(IReadOnlyList<KpiValueRow> rows, Dictionary<string, Definition> definitions)
    {
        Rows = rows;
        _definitions = definitions;
    }

    /// <summary>kpi_values rows, then one row per cohort size of the cohorts table (indicator "cohorts").</summary>
    public IReadOnlyList<KpiValueRow> Rows { get; }

    /// <summary>Reads a KPI version folder and, when given, the governance version published with it.</summary>
    public static async Task<PublishedTables> ReadAsync(string versionFolder, string? governanceFolder = null)
    {
        string Table(string name) => DuckDb.Literal(Path.Combine(versionFolder, name + ".parquet"));
        var d = await DuckDb.QueryAsync($"""
            select measure_key, unit, numerator_quantity, numerator_kind, numerator_scope, denominator_quantity, denominator_kind,
                   denominator_scope, threshold, suppress_zeros, rounding_base
            from read_parquet({Table("kpi_definitions")})
            """);
        var definitions = d.Rows.ToDictionary(r => r[0].GetString()!, r => new Definition(
            r[1].GetString()!, r[2].GetString()!, r[3].GetString() == "count", r[4].GetString() == "cohort",
            r[5].GetString(), r[6].GetString() == "count", r[7].GetString() == "cohort",
            (int)Long(r[8])!.Value, r[9].GetBoolean(), (int?)Long(r[10])));

        var v = await DuckDb.QueryAsync($"""
            select cohort, quarter, indicator, measure, case when breakdown_type = 'all' then 'all' else breakdown_type || ':' || breakdown_value end,
                   numerator, denominator, value, marker
            from read_parquet({Table("kpi_values")})
            """);
        var rows = v.Rows.Select(x => new KpiValueRow(x[0].GetString()!, x[1].GetString()!, x[2].GetString()!, x[3].GetString()!, x[4].GetString()!,
            Long(x[5]), Long(x[6]), Double(x[7]), x[8].GetString()!)).ToList();

        // The cohort sizes are the cohort feed's populations, published under the same rules as the children's social care measures.
        var csc = definitions["KPI01.children_with_active_plan"];
        var c = await DuckDb.QueryAsync($"select cohort, families, children, adults, marker from read_parquet({Table("cohorts")})");
        foreach (var x in c.Rows)
        {
            foreach (var (column, name) in new[] { (1, "families"), (2, "children"), (3, "adults") })
            {
                rows.Add(new KpiValueRow(x[0].GetString()!, "*", "cohorts", name, "all", Long(x[column]), null, null, Long(x[column]) is null ? x[4].GetString()! : ""));
                definitions["cohorts." + name] = new Definition("count", "cohort." + name, true, true, null, false, true, csc.Threshold, csc.SuppressZeros, csc.RoundingBase);
            }
        }

        // Every row of the cohort feed is one cohort person in one family, so the rows of it that link to the cohort (link_quality)
        // and the rows of its latest delivery (governance deliveries) are the cohort sizes summed over cohorts. Both are published
        // under the cohort feed's rules, as the cohorts table is; an exact count (one no rounding gives) is read as exact.
        var linked = await DuckDb.QueryAsync($"select linked from read_parquet({Table("link_quality")}) where feed = 'csc-people' and key = 'all'");
        foreach (var x in linked.Rows)
        {
            rows.Add(new KpiValueRow("*", "*", "link_quality", "csc_people_linked", "all", Long(x[0]), null, null, Long(x[0]) is null ? "[c]" : ""));
        }

        if (governanceFolder is not null)
        {
            var stored = await DuckDb.QueryAsync($"""
                select rows_stored from read_parquet({DuckDb.Literal(Path.Combine(governanceFolder, "deliveries.parquet"))})
                where feed = 'csc-people' and outcome in ('stored', 'partly_rejected') order by received_at desc limit 1
                """);
            foreach (var x in stored.Rows)
            {
                rows.Add(new KpiValueRow("*", "*", "deliveries", "csc_people_rows_stored", "all", Long(x[0]), null, null, Long(x[0]) is null ? "[c]" : ""));
            }
        }

        foreach (var name in new[] { "link_quality.csc_people_linked", "deliveries.csc_people_rows_stored" })
        {
            definitions[name] = new Definition("count", name, true, true, null, false, true, csc.Threshold, csc.SuppressZeros, csc.RoundingBase);
        }

        return new PublishedTables(rows, definitions);
    }

    /// <summary>The sums across tables a reader can form: the cohort feed's rows are the cohorts' children and adults together.</summary>
    public static IReadOnlyList<RowSum> CohortFeedSums { get; } =
    [
        new(r => r.Indicator == "link_quality", r => r.Indicator == "cohorts" && r.Measure is "children" or "adults"),
        new(r => r.Indicator == "deliveries", r => r.Indicator == "cohorts" && r.Measure is "children" or "adults"),
    ];

    /// <summary>The options a reader of these tables has: quantity identities and the published rules.</summary>
    public RecoveryOptions Options() => new(
        DenominatorQuantity: r => Key(r, Of(r).DenominatorQuantity ?? r.Indicator + "." + r.Measure + ".none", Of(r).DenominatorPerCohort),
        NumeratorQuantity: r => Key(r, Of(r).NumeratorQuantity, Of(r).NumeratorPerCohort),
        Publication: r =>
        {
            var x = Of(r);
            return new RowPublication(x.Unit, x.NumeratorIsCount, x.DenominatorQuantity is not null && x.DenominatorIsCount, x.Threshold, x.SuppressZeros, x.RoundingBase);
        },
        Sums: CohortFeedSums);

    private Definition Of(KpiValueRow row) => _definitions[row.Indicator + "." + row.Measure];

    private static string Key(KpiValueRow row, string quantity, bool perCohort) =>
        string.Join('|', row.Cohort, perCohort ? "*" : row.Quarter, quantity, row.Breakdown);

    private static long? Long(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => long.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => e.GetInt64(),
    };

    private static double? Double(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => double.Parse(e.GetString()!, CultureInfo.InvariantCulture),
        _ => e.GetDouble(),
    };

    private sealed record Definition(
        string Unit, string NumeratorQuantity, bool NumeratorIsCount, bool NumeratorPerCohort,
        string? DenominatorQuantity, bool DenominatorIsCount, bool DenominatorPerCohort,
        int Threshold, bool SuppressZeros, int? RoundingBase);
}
