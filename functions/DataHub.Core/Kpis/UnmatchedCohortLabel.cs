namespace DataHub.Core.Kpis;

/// <summary>
/// A cohort label the stored health aggregate rows carry that names none of the cohorts the rollup reports (compared as the
/// ingest compares labels, <see cref="CohortDefinition.IsLabelled"/>): its rows are used by no KPI. The ingest refuses such a
/// label, so these are rows stored before it did, when the column was free text screened only for NHS numbers, UPNs and
/// postcodes: the label may hold a name or a date, so it is never kept here and is known only by its number among the others.
/// </summary>
/// <param name="Number">The label's number, 1 to <paramref name="Of"/> (the labels in ordinal order of their compared form).</param>
/// <param name="Of">How many unmatched labels there are.</param>
/// <param name="Rows">The stored rows carrying it.</param>
/// <param name="Quarters">The quarters those rows report on, in order (a stored quarter that is not a quarter label is left out).</param>
public sealed record UnmatchedCohortLabel(int Number, int Of, long Rows, IReadOnlyList<Quarter> Quarters)
{
    /// <summary>The labels of <paramref name="rows"/> that name no cohort, numbered in label order; labels written differently
    /// but compared alike (<c>x1</c>, <c>X 1</c>) are one label, as the rollup's de-duplication takes them.</summary>
    public static IReadOnlyList<UnmatchedCohortLabel> Find(IReadOnlyList<HealthAggregateRow> rows, IReadOnlyList<CohortDefinition> cohorts)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cohorts);
        var groups = rows.Where(r => !cohorts.Any(c => c.IsLabelled(r.Cohort)))
            .GroupBy(r => CohortDefinition.LabelKey(r.Cohort), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToArray();
        return [.. groups.Select((g, i) => new UnmatchedCohortLabel(i + 1, groups.Length, g.LongCount(),
            [.. g.Select(r => Quarter.TryParse(r.Quarter, out var q) ? q : (Quarter?)null).OfType<Quarter>().Distinct().Order()]))];
    }

    /// <summary>The label as the board sees it: its number among the unmatched labels, never its text.</summary>
    public string Name => $"cohort label {Number} of {Of}";

    /// <summary>One sentence for the log and the governance tables: rows, quarters and the cohorts, never the label's text.</summary>
    public string Describe(IReadOnlyList<CohortDefinition> cohorts)
    {
        ArgumentNullException.ThrowIfNull(cohorts);
        return $"{Rows} stored health-aggregates row(s){Span(Quarters)} carry a cohort label ({Name}) that matches none of the cohorts the rollup reports "
            + $"({string.Join(", ", cohorts.Select(c => c.Name))}): no KPI uses them. The label is not shown: it was stored as free text and may hold a name or a date. "
            + "Ask the ICB to send those quarters again under the cohort's label, or correct the cohort configuration.";
    }

    /// <summary>One sentence for the kpi_published audit event, on all the unmatched labels: the quarters, never the text; the counts are in the event's Counts.</summary>
    public static string Summarise(IReadOnlyList<UnmatchedCohortLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return labels.Count == 0 ? "" : $"Stored health-aggregates rows{Span([.. labels.SelectMany(l => l.Quarters).Distinct().Order()])} carry cohort labels that match none of the cohorts reported "
            + "and are used by no KPI (health_rows_unmatched_cohort rows under health_cohort_labels_unmatched labels; the labels are not shown).";
    }

    private static string Span(IReadOnlyList<Quarter> quarters) =>
        quarters.Count == 0 ? "" : quarters.Count == 1 ? $" in {quarters[0]}" : $" in quarters {quarters[0]}–{quarters[^1]}";
}
