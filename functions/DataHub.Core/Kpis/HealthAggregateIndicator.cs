namespace DataHub.Core.Kpis;

/// <summary>
/// The shared shape of indicators 8 and 9: the ICB/CCG sends, per quarter, cohort label and age group, the cohort people,
/// the people with at least one event and the number of events; the hub publishes the counts and the percentage.
/// </summary>
public static class HealthAggregateIndicator
{
    /// <summary>The quantities of one health measure (people, people with an event, events), broken down by age group.</summary>
    public static IReadOnlyList<QuantityDefinition> QuantitiesFor(string indicator) =>
    [
        new(indicator + ".cohort_people", QuantityKind.Count, BreakdownDimension.AgeGroup),
        new(indicator + ".people_with_event", QuantityKind.Count, BreakdownDimension.AgeGroup),
        new(indicator + ".events", QuantityKind.Count, BreakdownDimension.AgeGroup),
    ];

    /// <summary>The published measures of one health measure.</summary>
    public static IReadOnlyList<MeasureDefinition> MeasuresFor(string indicator, string name, string what) =>
    [
        new(indicator, "people_with_" + name, MeasureUnit.Count, indicator + ".people_with_event", null, null,
            $"Cohort people with at least one {what}",
            $"From the ICB/CCG's aggregate return for the cohort label and quarter, by age group (child/adult): people with at least one {what} in the quarter.",
            "indicator " + indicator[3..].TrimStart('0'), "health-aggregates", BetterDirection.Lower),
        new(indicator, name + "_rate", MeasureUnit.Proportion, indicator + ".people_with_event", indicator + ".cohort_people", null,
            $"Share of cohort people with a {what}",
            $"People with at least one {what} over the cohort people the ICB/CCG matched, per age group.",
            "indicator " + indicator[3..].TrimStart('0'), "health-aggregates", BetterDirection.Lower),
        new(indicator, name, MeasureUnit.Count, indicator + ".events", null, null,
            $"Number of {what}s",
            $"Total {what}s of cohort people in the quarter, where the ICB/CCG supplied the number (rows without it add nothing).",
            "indicator " + indicator[3..].TrimStart('0'), "health-aggregates", BetterDirection.Lower),
    ];

    /// <summary>Adds the aggregate rows for the context's cohort and quarter whose measure is <paramref name="feedMeasure"/>.</summary>
    public static void Compute(QuarterContext context, string indicator, string feedMeasure)
    {
        ArgumentNullException.ThrowIfNull(context);
        var quarter = context.Quarter.ToString();
        foreach (var row in context.Inputs.Health)
        {
            if (!string.Equals(row.Quarter, quarter, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(row.Cohort, context.Cohort.Name, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(row.Measure, feedMeasure, StringComparison.Ordinal))
            {
                continue;
            }

            var breakdown = Breakdown.Age(child: string.Equals(row.AgeGroup, "child", StringComparison.Ordinal));
            context.AddAggregate(indicator + ".cohort_people", breakdown, row.CohortPeople);
            context.AddAggregate(indicator + ".people_with_event", breakdown, row.PeopleWithEvent);
            context.AddAggregate(indicator + ".events", breakdown, row.Events ?? 0);
        }
    }
}
