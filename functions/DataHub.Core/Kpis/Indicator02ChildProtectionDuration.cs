using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 2: average length of child protection plans closed in the quarter and of those still open at its end.</summary>
public sealed class Indicator02ChildProtectionDuration : IKpiIndicator
{
    private const string Closed = ClosedQuantity;
    private const string ClosedDays = "KPI02.days_closed_in_quarter";
    private const string Open = OpenQuantity;
    private const string OpenDays = "KPI02.days_open_at_quarter_end";
    private const string Feed = "csc-cp-plans, csc-people";

    /// <summary>Plans active during FS that ended in the quarter.</summary>
    public const string ClosedQuantity = "KPI02.plans_closed_in_quarter";

    /// <summary>Plans active during FS still open at the quarter's end.</summary>
    public const string OpenQuantity = "KPI02.plans_open_at_quarter_end";

    /// <inheritdoc />
    public string Code => "KPI02";

    /// <inheritdoc />
    public string Title => "Length of child protection plans";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Closed, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans), new(ClosedDays, QuantityKind.Sum, Feed: FeedCatalog.CscCpPlans),
        new(Open, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans), new(OpenDays, QuantityKind.Sum, Feed: FeedCatalog.CscCpPlans),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI02", "avg_days_closed_in_quarter", MeasureUnit.AverageDays, ClosedDays, Closed, Closed,
            "Average length of CP plans that ended in the quarter",
            "Plans active during FS that ended in the quarter: total days from start (R11) to end (R12) divided by the number of plans (toolkit I06 / I09).",
            "R11 R12 I06", Feed, BetterDirection.Lower),
        new("KPI02", "avg_days_open_at_quarter_end", MeasureUnit.AverageDays, OpenDays, Open, Open,
            "Average length so far of CP plans open at quarter end",
            "Plans active during FS still open at the quarter end: total days from start (R11) to the quarter end divided by the number of plans.",
            "R11 R12 I06", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (CohortPopulations.InCpScope(member, context.Options))
            {
                Spells.AddDurations(context, member, context.Inputs.CpPlans.For(member.Person), Closed, ClosedDays, Open, OpenDays);
            }
        }
    }
}
