using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 5: children looked after at the start and at the end of the quarter (UASC never counted).</summary>
public sealed class Indicator05LookedAfterChildren : IKpiIndicator
{
    private const string AtStart = "KPI05.looked_after_at_quarter_start";
    private const string AtEnd = "KPI05.looked_after_at_quarter_end";
    private const string Feed = "csc-cla-periods, csc-people";

    /// <inheritdoc />
    public string Code => "KPI05";

    /// <inheritdoc />
    public string Title => "Children looked after";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
        [new(AtStart, QuantityKind.Count, Feed: FeedCatalog.CscClaPeriods), new(AtEnd, QuantityKind.Count, Feed: FeedCatalog.CscClaPeriods)];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI05", "looked_after_at_quarter_start", MeasureUnit.Count, AtStart, null, null,
            "Children looked after at the start of the quarter",
            "Cohort children (UASC always and CWD when configured excluded) with a period of care (R16–R18) open on the quarter's first day that had not ended before FS start.",
            "R16 R17 R18", Feed, BetterDirection.Lower),
        new("KPI05", "looked_after_at_quarter_end", MeasureUnit.Count, AtEnd, null, null,
            "Children looked after at the end of the quarter",
            "As above, on the quarter's last day; a period ending that day still counts.",
            "R16 R17 R18", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (!CohortPopulations.InClaScope(member, context.Options))
            {
                continue;
            }

            var periods = context.Inputs.ClaPeriods.For(member.Person);
            context.Count(AtStart, member, LookedAfterOn(periods, member.FsStart, context.QuarterStart));
            context.Count(AtEnd, member, LookedAfterOn(periods, member.FsStart, context.QuarterEnd));
        }
    }

    /// <summary>True when a period of care that had not ended before FS start is open on the date.</summary>
    public static bool LookedAfterOn(ReadOnlySpan<LinkedSpell> periods, DateOnly fsStart, DateOnly date)
    {
        foreach (var period in periods)
        {
            if (Spells.DuringFs(period, fsStart) && Spells.OpenOn(period, date))
            {
                return true;
            }
        }

        return false;
    }
}
