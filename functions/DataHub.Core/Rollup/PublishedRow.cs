using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;

namespace DataHub.Core.Rollup;

/// <summary>
/// Turns one computed row into its published form once disclosure control has decided its counts: the marker, and the
/// numbers a reader may see. Sums of days and sessions are rounded like counts, and every value is worked out from the
/// published numbers, so a value never tells more than the numbers beside it.
/// </summary>
internal sealed class PublishedRow(KpiRow row, CohortDefinition cohort, DisclosureProfile profile)
{
    public PublishedKpiValue Assemble(IReadOnlyDictionary<string, PublishedCount> counts, IReadOnlyDictionary<string, PublishedRate> rates)
    {
        if (row.WindowOpen)
        {
            return Make(null, null, null, DisclosureMarker.NotApplicable);
        }

        KpiCell?[] cells = [row.Numerator, row.Denominator, row.Guard];
        if (cells.Any(c => c is { Value: null }))
        {
            return Make(null, null, null, DisclosureMarker.Unavailable);
        }

        PublishedCount? Count(KpiCell? cell) => cell is { Kind: QuantityKind.Count } ? counts[cell.Id] : null;
        var numerator = Count(row.Numerator);
        var denominator = Count(row.Denominator);
        var guard = Count(row.Guard);
        if (new[] { numerator, denominator, guard }.FirstOrDefault(c => c is not null && c.Value is null) is { } withheld)
        {
            // No number in a withheld row: one that is published elsewhere is read there.
            return Make(null, null, null, withheld.Marker == DisclosureMarker.Low ? DisclosureMarker.Low : DisclosureMarker.Confidential);
        }

        var m = row.Measure;
        switch (m.Unit)
        {
            case MeasureUnit.Count:
                return Make(numerator!.Value, null, numerator.Value, DisclosureMarker.None);
            case MeasureUnit.Proportion:
                var rate = rates[KpiPublisher.RowId(row)];
                return Make(numerator!.Value, denominator!.Value, rate.Value, rate.Marker);
            case MeasureUnit.Change:
                return Make(numerator!.Value, denominator!.Value, numerator.Value - denominator.Value, DisclosureMarker.None);
            default:
                // Averages and session rates: sums of days or sessions over the published count of plans or pupils.
                var over = denominator?.Value ?? OverPublishedCount(row.Denominator!.Value!.Value, guard!.Value!.Value);
                var sum = OverPublishedCount(row.Numerator.Value!.Value, guard!.Value!.Value);
                if (over == 0)
                {
                    return Make(sum, over, null, DisclosureMarker.NotApplicable);
                }

                return Make(sum, over, (double)sum / over, guard.Value < profile.MinimumDenominator ? DisclosureMarker.LowReliability : DisclosureMarker.None);
        }
    }

    // A sum grows with its count: every pupil of a term has about the same possible sessions, so a sum rounded on its own
    // would give the pupils back exactly (950 sessions of 158 a pupil is 6, where the count shows 5). It is published as the
    // exact average per plan or pupil times the published count, rounded, so it tells no more about the count than the count.
    private long OverPublishedCount(long sum, long shownCount)
    {
        var count = row.Guard!.Value!.Value;
        return count == 0 ? 0 : profile.Round((((2 * sum * shownCount) / count) + 1) / 2);
    }

    private PublishedKpiValue Make(long? numerator, long? denominator, double? value, DisclosureMarker marker)
    {
        var quarter = Quarter.Parse(row.Quarter);
        var offset = quarter.QuartersSince(cohort.FirstQuarter);
        var (windowStart, windowEnd) = row.Measure.Window.Days(cohort, quarter);
        var (type, part) = Breakdown.Split(row.Breakdown);
        return new PublishedKpiValue(
            row.Measure.Key,
            row.Measure.Indicator,
            row.Measure.Measure,
            row.Measure.Unit.ToText(),
            row.Cohort,
            row.Quarter,
            quarter.Start,
            quarter.End,
            offset,
            offset < 0 ? "before_fs" : offset == 0 ? "fs_start" : "after_fs",
            row.Measure.Window.ToText(),
            windowStart,
            windowEnd,
            type,
            part,
            numerator,
            denominator,
            marker is DisclosureMarker.None or DisclosureMarker.LowReliability ? value : null,
            marker.ToText());
    }
}
