using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 1: children on a child protection plan during FS, split by plans already open at FS start and plans begun after it.</summary>
public sealed class Indicator01ChildProtectionPlans : IKpiIndicator
{
    private const string Children = "KPI01.children_with_active_plan";
    private const string AtStart = "KPI01.children_plan_active_at_fs_start";
    private const string After = "KPI01.children_plan_started_after_fs_start";
    private const string Plans = "KPI01.active_plans";
    private const string Feed = "csc-cp-plans, csc-people";

    /// <inheritdoc />
    public string Code => "KPI01";

    /// <inheritdoc />
    public string Title => "Child protection plans";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Children, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans), new(AtStart, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans),
        new(After, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans),

        // The same plans as KPI02's (in scope, active in the quarter, not ended before FS start): each closed in the quarter or open at its end.
        new(Plans, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans, SumOf: [Indicator02ChildProtectionDuration.ClosedQuantity, Indicator02ChildProtectionDuration.OpenQuantity]),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI01", "children_with_active_plan", MeasureUnit.Proportion, Children, CohortPopulations.ChildrenCpScope, null,
            "Children on a child protection plan",
            "Cohort children (CWD excluded when configured) with a CP plan (R10–R12) active in the quarter that had not ended before their family's FS start (R03); denominator: the cohort's children in scope.",
            "R03 R10 R11 R12 I08", Feed, BetterDirection.Lower),
        new("KPI01", "children_plan_active_at_fs_start", MeasureUnit.Count, AtStart, null, null,
            "Children whose plan was already open at FS start",
            "Of the children above, those with an active plan that started on or before the FS start date (R11 ≤ R03).",
            "R03 R11 R12", Feed, BetterDirection.Lower),
        new("KPI01", "children_plan_started_after_fs_start", MeasureUnit.Count, After, null, null,
            "Children who became subject to a plan after FS start",
            "Of the children above, those with an active plan that started after the FS start date (R11 > R03).",
            "R03 R11 R12", Feed, BetterDirection.Lower),
        new("KPI01", "active_plans", MeasureUnit.Count, Plans, null, null,
            "Child protection plans active during FS",
            "Number of CP plans active in the quarter and not ended before FS start (toolkit I08, summed over the cohort).",
            "R10 I08", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (!CohortPopulations.InCpScope(member, context.Options))
            {
                continue;
            }

            var plans = Classify(context.Inputs.CpPlans.For(member.Person), member.FsStart, context.Quarter);
            context.Count(Children, member, plans.Active > 0);
            context.Count(AtStart, member, plans.StartedByFsStart);
            context.Count(After, member, plans.StartedAfterFsStart);
            context.Add(Plans, member, plans.Active);
        }
    }

    /// <summary>A child's plans active in the quarter during FS: how many, and whether any started by or after FS start.</summary>
    public static (int Active, bool StartedByFsStart, bool StartedAfterFsStart) Classify(ReadOnlySpan<LinkedSpell> plans, DateOnly fsStart, Quarter quarter)
    {
        var active = 0;
        bool byStart = false, after = false;
        foreach (var plan in plans)
        {
            if (Spells.DuringFs(plan, fsStart) && Spells.ActiveIn(plan, quarter))
            {
                active++;
                byStart |= plan.Start <= fsStart;
                after |= plan.Start > fsStart;
            }
        }

        return (active, byStart, after);
    }
}
