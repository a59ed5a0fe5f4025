using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>
/// The shared shape of indicators 8 and 9: the ICB/CCG sends, per quarter, cohort label and age group, the cohort people,
/// the people with at least one event and the number of events; the hub publishes the counts and the percentage. An age
/// group the ICB/CCG sent no row for (or no number of events for) is not available, never zero.
/// </summary>
public static class HealthAggregateIndicator
{
    /// <summary>The quantities of one health measure (people, people with an event, events), broken down by age group.</summary>
    public static IReadOnlyList<QuantityDefinition> QuantitiesFor(string indicator) =>
    [
        new(indicator + ".cohort_people", QuantityKind.Count, BreakdownDimension.AgeGroup, Feed: FeedCatalog.HealthAggregates),
        new(indicator + ".people_with_event", QuantityKind.Count, BreakdownDimension.AgeGroup, Feed: FeedCatalog.HealthAggregates),
        new(indicator + ".events", QuantityKind.Count, BreakdownDimension.AgeGroup, Feed: FeedCatalog.HealthAggregates),
    ];

    /// <summary>The published measures of one health measure (published for the baseline year too, when the ICB/CCG sends it).</summary>
    public static IReadOnlyList<MeasureDefinition> MeasuresFor(string indicator, string name, string what) =>
    [
        new(indicator, "people_with_" + name, MeasureUnit.Count, indicator + ".people_with_event", null, null,
            $"Cohort people with at least one {what}",
            $"From the ICB/CCG's aggregate return for the cohort label and quarter, by age group (child/adult): people with at least one {what} in the quarter.",
            "indicator " + indicator[3..].TrimStart('0'), "health-aggregates", BetterDirection.Lower) { Baseline = true },
        new(indicator, name + "_rate", MeasureUnit.Proportion, indicator + ".people_with_event", indicator + ".cohort_people", null,
            $"Share of cohort people with a {what}",
            $"People with at least one {what} over the cohort people the ICB/CCG matched, per age group.",
            "indicator " + indicator[3..].TrimStart('0'), "health-aggregates", BetterDirection.Lower) { Baseline = true },
        new(indicator, name, MeasureUnit.Count, indicator + ".events", null, null,
            $"Number of {what}s",
            $"Total {what}s of cohort people in the quarter; not available where the ICB/CCG did not supply the number.",
            "indicator " + indicator[3..].TrimStart('0'), "health-aggregates", BetterDirection.Lower) { Baseline = true },
    ];

    /// <summary>Adds the aggregate rows for the context's cohort and quarter whose measure is <paramref name="feedMeasure"/>.</summary>
    public static void Compute(QuarterContext context, string indicator, string feedMeasure)
    {
        ArgumentNullException.ThrowIfNull(context);
        var quarter = context.Quarter.ToString();
        foreach (var child in new[] { true, false })
        {
            var breakdown = Breakdown.Age(child);
            var ageGroup = child ? "child" : "adult";
            var row = context.Inputs.Health.FirstOrDefault(r =>
                string.Equals(r.Quarter, quarter, StringComparison.OrdinalIgnoreCase)
                && context.Cohort.IsLabelled(r.Cohort)
                && string.Equals(r.Measure, feedMeasure, StringComparison.Ordinal)
                && string.Equals(r.AgeGroup, ageGroup, StringComparison.Ordinal));
            if (row is null)
            {
                foreach (var q in QuantitiesFor(indicator))
                {
                    context.MarkUnavailable(q.Id, breakdown);
                }

                continue;
            }

            context.AddAggregate(indicator + ".cohort_people", breakdown, row.CohortPeople);
            context.AddAggregate(indicator + ".people_with_event", breakdown, row.PeopleWithEvent);
            if (row.Events is { } events)
            {
                context.AddAggregate(indicator + ".events", breakdown, events);
            }
            else
            {
                context.MarkUnavailable(indicator + ".events", breakdown);
            }
        }
    }
}
