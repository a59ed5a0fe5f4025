using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 15: change in depression (PHQ9) and anxiety (GAD7) scores of cohort adults, from the mental-health-scores feed.</summary>
public sealed class Indicator15MentalHealthScores : IKpiIndicator
{
    /// <summary>The instruments the feed carries; lower scores are better on both.</summary>
    public static IReadOnlyList<string> Instruments { get; } = ["PHQ9", "GAD7"];

    /// <inheritdoc />
    public string Code => "KPI15";

    /// <inheritdoc />
    public string Title => "Depression and anxiety scores";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } = Instruments
        .Select(i => new QuantityDefinition(QuantityId(i), QuantityKind.Count, Categories: ScoreChange.Categories, Feed: FeedCatalog.MentalHealthScores, Reads: KpiWindow.SinceFsStart))
        .ToArray();

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } = Instruments.Select(i => new MeasureDefinition(
        "KPI15", i.ToLowerInvariant() + "_change", MeasureUnit.Count, QuantityId(i), null, null,
        $"Adults whose {(i == "PHQ9" ? "depression (PHQ9)" : "anxiety (GAD7)")} score improved, stayed the same or declined",
        "Cohort adults in an intervention on the instrument that was open on their FS start date or began within the configured window after it "
        + "(365 days by default). Interventions are read from the score stages (initial opens one, end closes it; scores of one day in the order "
        + "end, initial, interim). The baseline is that intervention's initial score, compared with its latest score (interim or end) by the "
        + "quarter end; lower is better. all = adults compared, with the improved, unchanged and declined parts.",
        "indicator 15 (initial, interim, end scores)", "mental-health-scores, csc-people", BetterDirection.Lower)
    {
        Window = KpiWindow.SinceFsStart,
    }).ToArray();

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (member.IsChild)
            {
                continue;
            }

            var scores = context.Inputs.Scores.For(member.Person);
            if (scores.IsEmpty)
            {
                continue;
            }

            foreach (var instrument in Instruments)
            {
                var mine = Filter(scores, instrument);
                if (ScoreChange.BaselineAndLatest<LinkedScore>(mine, s => s.Date, s => s.Stage, member.FsStart, context.QuarterEnd, context.Options.EpisodeStartWindowDays) is { } pair)
                {
                    context.Add(QuantityId(instrument), member, 1, ScoreChange.Compare(mine[pair.Baseline].Score, mine[pair.Latest].Score, BetterDirection.Lower));
                }
            }
        }
    }

    private static string QuantityId(string instrument) => "KPI15." + instrument.ToLowerInvariant() + "_change";

    private static LinkedScore[] Filter(ReadOnlySpan<LinkedScore> scores, string instrument)
    {
        var list = new List<LinkedScore>();
        foreach (var s in scores)
        {
            if (string.Equals(s.Instrument, instrument, StringComparison.Ordinal))
            {
                list.Add(s);
            }
        }

        return list.ToArray();
    }
}
