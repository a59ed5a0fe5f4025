namespace DataHub.Core.Kpis;

/// <summary>
/// A cohort label the stored health aggregate rows carry that names none of the cohorts the rollup reports (indicators 8 and 9
/// match the label to the cohort's name, ignoring case): its rows are used by no KPI. The ingest refuses such a label, so these
/// are rows stored before the cohorts were configured as they are now. Labels are cohort names, not identifiers.
/// </summary>
/// <param name="Label">The label as stored.</param>
/// <param name="Rows">The stored rows carrying it.</param>
/// <param name="Quarters">The quarters those rows report on, in order.</param>
public sealed record UnmatchedCohortLabel(string Label, long Rows, IReadOnlyList<string> Quarters)
{
    /// <summary>The labels of <paramref name="rows"/> that match no cohort's name, in label order.</summary>
    public static IReadOnlyList<UnmatchedCohortLabel> Find(IReadOnlyList<HealthAggregateRow> rows, IReadOnlyList<CohortDefinition> cohorts)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(cohorts);
        var names = cohorts.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return [.. rows.Where(r => !names.Contains(r.Cohort))
            .GroupBy(r => r.Cohort, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new UnmatchedCohortLabel(g.Key, g.LongCount(), [.. g.Select(r => r.Quarter).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]))];
    }

    /// <summary>One sentence for the log, the audit trail and the governance tables.</summary>
    public string Describe(IReadOnlyList<CohortDefinition> cohorts)
    {
        ArgumentNullException.ThrowIfNull(cohorts);
        var quarters = Quarters.Count == 0 ? "" : Quarters.Count == 1 ? $" ({Quarters[0]})" : $" ({Quarters[0]}–{Quarters[^1]})";
        return $"{Rows} stored health-aggregates row(s){quarters} carry cohort label '{Label}', which matches none of the cohorts the rollup reports "
            + $"({string.Join(", ", cohorts.Select(c => c.Name))}): no KPI uses them. Ask the ICB to send them again under the cohort's label, or correct the cohort configuration.";
    }
}
