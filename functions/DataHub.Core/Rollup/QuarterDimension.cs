using DataHub.Core.Kpis;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>
/// The quarters table every published table joins on its <c>quarter</c> column (the KPI tables now, the governance tables
/// later): one row per calendar quarter with its dates and words for axes.
/// </summary>
public static class QuarterDimension
{
    /// <summary>The table name.</summary>
    public const string Name = "quarters";

    /// <summary>One row per quarter from <paramref name="first"/> to <paramref name="last"/>: quarter, quarter_start, quarter_end, label
    /// (e.g. Jan–Mar 2018), year, quarter_of_year, financial_year (April–March, e.g. 2017-18) and sort (year × 4 + quarter − 1:
    /// consecutive, and the same number for a quarter in every table built here, whatever range each spans).</summary>
    public static KpiTable Table(Quarter first, Quarter last) => new(
        Name,
        new ParquetSchema(
        [
            new("quarter", ParquetType.String, false), new("quarter_start", ParquetType.Date, false), new("quarter_end", ParquetType.Date, false),
            new("label", ParquetType.String, false), new("year", ParquetType.Int32, false), new("quarter_of_year", ParquetType.Int32, false),
            new("financial_year", ParquetType.String, false), new("sort", ParquetType.Int32, false),
        ]),
        Quarter.Range(first, last).Select(q =>
        {
            var fyStart = q.Number == 1 ? q.Year - 1 : q.Year;
            return new object?[]
            {
                q.ToString(), q.Start, q.End, q.Label, q.Year, q.Number, $"{fyStart}-{(fyStart + 1) % 100:D2}", Sort(q),
            };
        }).ToArray());

    /// <summary>A quarter's sort key: fixed, not counted from the table's first quarter, so the KPI and governance tables
    /// (which span different ranges) agree on it.</summary>
    private static int Sort(Quarter quarter) => (quarter.Year * 4) + quarter.Number - 1;
}
