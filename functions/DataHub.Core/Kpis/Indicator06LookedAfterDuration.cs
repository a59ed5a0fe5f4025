using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>
/// Indicator 6: average days in care for periods closed in the quarter and for those open at its end (I23, I24), over every
/// cohort child: the toolkit scopes it to all children whose families have been through FS, so children open to the
/// disabilities team are included whatever the CWD switch says for indicators 1–5; UASC are left out as for every CLA indicator.
/// </summary>
public sealed class Indicator06LookedAfterDuration : IKpiIndicator
{
    private const string Closed = "KPI06.periods_closed_in_quarter";
    private const string ClosedDays = "KPI06.days_closed_in_quarter";
    private const string Open = "KPI06.periods_open_at_quarter_end";
    private const string OpenDays = "KPI06.days_open_at_quarter_end";
    private const string Feed = "csc-cla-periods, csc-people";

    /// <inheritdoc />
    public string Code => "KPI06";

    /// <inheritdoc />
    public string Title => "Time in care";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Closed, QuantityKind.Count, Feed: FeedCatalog.CscClaPeriods), new(ClosedDays, QuantityKind.Sum, Feed: FeedCatalog.CscClaPeriods),
        new(Open, QuantityKind.Count, Feed: FeedCatalog.CscClaPeriods), new(OpenDays, QuantityKind.Sum, Feed: FeedCatalog.CscClaPeriods),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI06", "avg_days_closed_in_quarter", MeasureUnit.AverageDays, ClosedDays, Closed, Closed,
            "Average days in care for periods that ended in the quarter",
            "Periods of care of any cohort child (children with disabilities included; UASC excluded) active during FS that ended in the quarter: total days from R17 to R18 (I24) divided by the number of periods.",
            "R17 R18 I24", Feed, BetterDirection.Lower),
        new("KPI06", "avg_days_open_at_quarter_end", MeasureUnit.AverageDays, OpenDays, Open, Open,
            "Average days in care so far for periods open at quarter end",
            "Periods of care active during FS still open at the quarter end: total days from R17 to the quarter end (I23) divided by the number of periods.",
            "R17 R18 I23", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (member.IsChild && !member.Uasc)
            {
                Spells.AddDurations(context, member, context.Inputs.ClaPeriods.For(member.Person), Closed, ClosedDays, Open, OpenDays);
            }
        }
    }
}
