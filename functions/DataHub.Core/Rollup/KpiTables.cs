using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>The published tables of contract C9 and the secure person and family tables, as <see cref="KpiTable"/>s.</summary>
public static class KpiTables
{
    /// <summary>kpi_values: one row per cohort, quarter, indicator, measure and breakdown.</summary>
    public static KpiTable Values(IReadOnlyList<PublishedKpiValue> values) => new(
        "kpi_values",
        new ParquetSchema(
        [
            new("cohort", ParquetType.String, false), new("quarter", ParquetType.String, false), new("indicator", ParquetType.String, false),
            new("measure", ParquetType.String, false), new("breakdown", ParquetType.String, false), new("numerator", ParquetType.Int64),
            new("denominator", ParquetType.Int64), new("value", ParquetType.Double), new("marker", ParquetType.String, false),
        ]),
        values.Select(v => new object?[] { v.Cohort, v.Quarter, v.Indicator, v.Measure, v.Breakdown, v.Numerator, v.Denominator, v.Value, v.Marker }).ToArray());

    /// <summary>
    /// kpi_definitions: what each measure is, in our words, with the toolkit's codes, and the ids of the quantities behind its
    /// numerator and denominator (measures naming the same quantity publish the same number; <c>cohort.*</c> quantities are
    /// the same in every quarter).
    /// </summary>
    public static KpiTable Definitions(IReadOnlyList<MeasureDefinition> measures, IReadOnlyDictionary<string, string> profiles) => new(
        "kpi_definitions",
        new ParquetSchema(
        [
            new("indicator", ParquetType.String, false), new("measure", ParquetType.String, false), new("title", ParquetType.String, false),
            new("description", ParquetType.String, false), new("toolkit_codes", ParquetType.String, false), new("source_feed", ParquetType.String, false),
            new("unit", ParquetType.String, false), new("better", ParquetType.String, false), new("disclosure_profile", ParquetType.String),
            new("numerator_quantity", ParquetType.String, false), new("denominator_quantity", ParquetType.String),
        ]),
        measures.Select(m => new object?[]
        {
            m.Indicator, m.Measure, m.Title, m.Description, m.ToolkitCodes, m.SourceFeed, UnitText(m.Unit), BetterText(m.Better),
            profiles.TryGetValue(m.Indicator, out var p) ? p : null, m.Numerator, m.Denominator,
        }).ToArray());

    /// <summary>link_quality: per feed and key, records, linked, ambiguous, unlinked and the link rate.</summary>
    public static KpiTable LinkQuality(IReadOnlyList<LinkQualityRow> rows) => new(
        "link_quality",
        new ParquetSchema(
        [
            new("feed", ParquetType.String, false), new("key", ParquetType.String, false), new("records", ParquetType.Int64, false),
            new("linked", ParquetType.Int64, false), new("ambiguous", ParquetType.Int64, false), new("unlinked", ParquetType.Int64, false),
            new("link_rate", ParquetType.Double),
        ]),
        rows.Select(r => new object?[] { r.Feed, r.Key, r.Records, r.Linked, r.Ambiguous, r.Unlinked, r.Rate }).ToArray());

    /// <summary>cohorts: window and sizes, suppressed like any count.</summary>
    public static KpiTable Cohorts(IReadOnlyList<PublishedCohort> cohorts) => new(
        "cohorts",
        new ParquetSchema(
        [
            new("cohort", ParquetType.String, false), new("window_start", ParquetType.Date, false), new("window_end", ParquetType.Date, false),
            new("families", ParquetType.Int64), new("children", ParquetType.Int64), new("adults", ParquetType.Int64), new("marker", ParquetType.String, false),
        ]),
        cohorts.Select(c => new object?[] { c.Cohort, c.WindowStart, c.WindowEnd, c.Families, c.Children, c.Adults, c.Marker }).ToArray());

    /// <summary>Secure zone only: each person's contribution to each quantity, by their CSC person token.</summary>
    public static KpiTable PersonValues(IReadOnlyList<PersonValue> values, IReadOnlyList<CohortPerson> people) => new(
        "person_values",
        new ParquetSchema(
        [
            new("cohort", ParquetType.String, false), new("quarter", ParquetType.String), new("person_token", ParquetType.String, false),
            new("family_key", ParquetType.String, false), new("quantity", ParquetType.String, false), new("value", ParquetType.Int64, false),
        ]),
        values.Select(v => new object?[] { v.Cohort, v.Quarter, people[v.Member.Person].Keys.Local ?? "", v.Member.FamilyKey, v.Quantity, v.Value }).ToArray());

    /// <summary>Secure zone only: per-family totals (a person in two families counts in each).</summary>
    public static KpiTable FamilyValues(IReadOnlyList<FamilyValue> values) => new(
        "family_values",
        new ParquetSchema(
        [
            new("cohort", ParquetType.String, false), new("quarter", ParquetType.String), new("family_key", ParquetType.String, false),
            new("quantity", ParquetType.String, false), new("value", ParquetType.Int64, false),
        ]),
        values.Select(v => new object?[] { v.Cohort, v.Quarter, v.FamilyKey, v.Quantity, v.Value }).ToArray());

    private static string UnitText(MeasureUnit unit) => unit switch
    {
        MeasureUnit.Count => "count",
        MeasureUnit.Proportion => "proportion",
        MeasureUnit.AverageDays => "average_days",
        MeasureUnit.SessionRate => "session_rate",
        _ => "change",
    };

    private static string BetterText(BetterDirection better) => better switch
    {
        BetterDirection.Lower => "lower",
        BetterDirection.Higher => "higher",
        _ => "neither",
    };
}
