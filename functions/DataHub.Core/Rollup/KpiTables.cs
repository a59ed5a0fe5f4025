using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Parquet;

namespace DataHub.Core.Rollup;

/// <summary>The published KPI tables and the secure person and family tables, as <see cref="KpiTable"/>s.</summary>
public static class KpiTables
{
    /// <summary>kpi_values: one row per cohort, quarter, measure and breakdown; joins kpi_definitions on measure_key and quarters on quarter.</summary>
    public static KpiTable Values(IReadOnlyList<PublishedKpiValue> values) => new(
        "kpi_values",
        new ParquetSchema(
        [
            Text("measure_key"), Text("indicator"), Text("measure"), Text("unit"), Text("cohort"), Text("quarter"),
            new("quarter_start", ParquetType.Date, false), new("quarter_end", ParquetType.Date, false),
            new("quarters_since_fs_start", ParquetType.Int32, false), Text("period"), Text("time_window"),
            new("window_start", ParquetType.Date, false), new("window_end", ParquetType.Date, false),
            Text("breakdown_type"), Text("breakdown_value"), new("numerator", ParquetType.Int64), new("denominator", ParquetType.Int64),
            new("value", ParquetType.Double), Text("marker"),
        ]),
        values.Select(v => new object?[]
        {
            v.MeasureKey, v.Indicator, v.Measure, v.Unit, v.Cohort, v.Quarter, v.QuarterStart, v.QuarterEnd, v.QuartersSinceFsStart, v.Period,
            v.Window, v.WindowStart, v.WindowEnd, v.BreakdownType, v.BreakdownValue, v.Numerator, v.Denominator, v.Value, v.Marker,
        }).ToArray());

    /// <summary>
    /// kpi_definitions: one row per measure: what it is in our words with the toolkit's codes, its unit, window and breakdowns,
    /// the quantities behind its numerator and denominator (the same quantity in two measures is the same number; a cohort-scope
    /// quantity is the same in every quarter), and the disclosure rules it is published under.
    /// </summary>
    public static KpiTable Definitions(
        IReadOnlyList<MeasureDefinition> measures, IReadOnlyDictionary<string, QuantityDefinition> quantities, Func<MeasureDefinition, DisclosureProfile> profileOf) => new(
        "kpi_definitions",
        new ParquetSchema(
        [
            Text("measure_key"), Text("indicator"), Text("measure"), Text("title"), Text("description"), Text("toolkit_codes"), Text("source_feed"),
            Text("unit"), Text("better"), Text("time_window"), new("baseline_quarters", ParquetType.Int32, false), Text("breakdown_types"),
            Text("numerator_quantity"), Text("numerator_kind"), Text("numerator_scope"),
            new("denominator_quantity", ParquetType.String), new("denominator_kind", ParquetType.String), new("denominator_scope", ParquetType.String),
            Text("disclosure_profile"), new("threshold", ParquetType.Int32, false), new("suppress_zeros", ParquetType.Boolean, false),
            new("rounding_base", ParquetType.Int32), new("minimum_denominator", ParquetType.Int64, false), Text("disclosure"),
        ]),
        measures.Select(m =>
        {
            var profile = profileOf(m);
            var numerator = quantities[m.Numerator];
            var denominator = m.Denominator is null ? null : quantities[m.Denominator];
            string[] types = [Breakdown.All, numerator.Dimension == BreakdownDimension.AgeGroup ? Breakdown.AgeDimension : Breakdown.TeamDimension,
                .. (numerator.Categories ?? []).Select(c => Breakdown.Split(c).Type).Distinct(StringComparer.Ordinal)];
            return new object?[]
            {
                m.Key, m.Indicator, m.Measure, m.Title, m.Description, m.ToolkitCodes, m.SourceFeed, m.Unit.ToText(), m.Better.ToText(),
                m.Window.ToText(), m.Baseline ? KpiCalculator.BaselineQuarters : 0, string.Join(", ", types),
                numerator.Id, KindText(numerator), ScopeText(numerator), denominator?.Id, denominator is null ? null : KindText(denominator),
                denominator is null ? null : ScopeText(denominator),
                profile.Name, profile.Threshold, profile.SuppressZeros, profile.RoundingBase, profile.MinimumDenominator, DisclosureText(profile, m),
            };
        }).ToArray());

    /// <summary>markers: what each marker in kpi_values means.</summary>
    public static KpiTable Markers() => new(
        "markers",
        new ParquetSchema([Text("marker"), Text("name"), Text("meaning")]),
        [
            ["", "value", "The value is shown. Counts and sums are rounded as kpi_definitions says; the value is worked out from the numbers shown."],
            ["[c]", "confidential", "Withheld to protect confidentiality: a small count, or a count that would let one be worked out. No number is shown in the row. Zeros are not protected except under the sensitive profile, so a withheld part of a total published as 0 is 0."],
            ["[u]", "low reliability", "The value is shown, but it rests on fewer people or plans than the minimum kpi_definitions gives: read it with care."],
            ["[x]", "not available", "The hub has not received the partner feed for the days this figure covers (see the agreement's expected cadence), or the partner sent no figure. It is not zero."],
            ["[z]", "not applicable", "The figure cannot exist: a rate over none, or a comparison whose 12-month window after FS start has not closed by the quarter's end."],
            ["[low]", "rounds to zero", "A count that is not zero but rounds to zero. Not used while the threshold suppresses every such count."],
        ]);

    /// <summary>link_quality: per feed and key, records, linked, ambiguous, unlinked and the link rate, disclosure-controlled.</summary>
    public static KpiTable LinkQuality(IReadOnlyList<PublishedLinkQuality> rows) => new(
        "link_quality",
        new ParquetSchema(
        [
            Text("feed"), Text("key"), new("records", ParquetType.Int64),
            new("linked", ParquetType.Int64), new("ambiguous", ParquetType.Int64), new("unlinked", ParquetType.Int64),
            new("link_rate", ParquetType.Double), Text("marker"),
        ]),
        rows.Select(r => new object?[] { r.Feed, r.Key, r.Records, r.Linked, r.Ambiguous, r.Unlinked, r.LinkRate, r.Marker }).ToArray());

    /// <summary>cohorts: window, first quarter (quarters_since_fs_start 0) and sizes, suppressed like any count.</summary>
    public static KpiTable Cohorts(IReadOnlyList<PublishedCohort> cohorts) => new(
        "cohorts",
        new ParquetSchema(
        [
            Text("cohort"), new("window_start", ParquetType.Date, false), new("window_end", ParquetType.Date, false), Text("first_quarter"),
            new("families", ParquetType.Int64), new("children", ParquetType.Int64), new("adults", ParquetType.Int64), Text("marker"),
        ]),
        cohorts.Select(c => new object?[] { c.Cohort, c.WindowStart, c.WindowEnd, c.FirstQuarter, c.Families, c.Children, c.Adults, c.Marker }).ToArray());

    /// <summary>Secure zone only: each person's contribution to each quantity, by their CSC person token (records summed per person).</summary>
    public static KpiTable PersonValues(IReadOnlyList<PersonValue> values, IReadOnlyList<CohortPerson> people) => new(
        "person_values",
        new ParquetSchema(
        [
            Text("cohort"), new("quarter", ParquetType.String), Text("person_token"), Text("family_key"), Text("quantity"), new("value", ParquetType.Int64, false),
        ]),
        values.GroupBy(v => (v.Cohort, v.Quarter, v.Member.Person, v.Member.FamilyKey, v.Quantity))
            .Select(g => new object?[] { g.Key.Cohort, g.Key.Quarter, people[g.Key.Person].Keys.Local ?? "", g.Key.FamilyKey, g.Key.Quantity, g.Sum(v => v.Value) })
            .ToArray());

    /// <summary>Secure zone only: per-family totals (a person in two families counts in each).</summary>
    public static KpiTable FamilyValues(IReadOnlyList<FamilyValue> values) => new(
        "family_values",
        new ParquetSchema(
        [
            Text("cohort"), new("quarter", ParquetType.String), Text("family_key"), Text("quantity"), new("value", ParquetType.Int64, false),
        ]),
        values.Select(v => new object?[] { v.Cohort, v.Quarter, v.FamilyKey, v.Quantity, v.Value }).ToArray());

    private static ParquetColumn Text(string name) => new(name, ParquetType.String, false);

    private static string KindText(QuantityDefinition q) => q.Kind == QuantityKind.Count ? "count" : "sum";

    private static string ScopeText(QuantityDefinition q) => q.PerCohort ? "cohort" : "quarter";

    private static string DisclosureText(DisclosureProfile p, MeasureDefinition m)
    {
        var small = p.Threshold == 0 ? "No count is too small to show" : $"Counts from 1 to {p.Threshold}{(p.SuppressZeros ? " and zeros" : "")} are withheld ([c])";
        var rounding = p.RoundingBase is { } b
            ? m.Unit is MeasureUnit.AverageDays or MeasureUnit.SessionRate
                ? $"published counts and sums of days or sessions are rounded to the nearest {b}, each sum taken over the published count of plans or pupils"
                : $"published counts are rounded to the nearest {b}"
            : "published counts are exact";
        var minimum = p.MinimumDenominator > 0 && m.Unit is not (MeasureUnit.Count or MeasureUnit.Change)
            ? $"; a value over fewer than {p.MinimumDenominator} (people, plans or pupils) is marked [u]"
            : "";
        return $"{small}, with any other count that would let one be worked out; {rounding}; the value is worked out from the published numbers{minimum}.";
    }
}
