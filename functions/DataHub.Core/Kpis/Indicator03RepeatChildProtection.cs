using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 3: new child protection plans in the quarter that repeat an earlier plan within 12 and within 24 months (I20–I22).</summary>
public sealed class Indicator03RepeatChildProtection : IKpiIndicator
{
    private const string NewPlans = "KPI03.new_plans";
    private const string Within12 = "KPI03.repeat_within_12m";
    private const string Within24 = "KPI03.repeat_within_24m";
    private const string Feed = "csc-cp-plans, csc-people";

    /// <inheritdoc />
    public string Code => "KPI03";

    /// <inheritdoc />
    public string Title => "New and repeat child protection plans";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(NewPlans, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans), new(Within12, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans),
        new(Within24, QuantityKind.Count, Feed: FeedCatalog.CscCpPlans),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI03", "new_plans", MeasureUnit.Count, NewPlans, null, null,
            "New CP plans started in the quarter during FS",
            "Plans of cohort children (CWD excluded when configured) whose start (R11) is in the quarter and on or after the FS start date.",
            "R10 R11", Feed, BetterDirection.Lower),
        new("KPI03", "repeat_within_12m_rate", MeasureUnit.Proportion, Within12, NewPlans, null,
            "Share of new CP plans that are repeats within 12 months",
            "Days from the end of the child's latest earlier plan to the new start (I20) is at most 365 (I21); new plans with no earlier plan count as not repeats.",
            "R13 R15 I20 I21", Feed, BetterDirection.Lower),
        new("KPI03", "repeat_within_24m_rate", MeasureUnit.Proportion, Within24, NewPlans, null,
            "Share of new CP plans that are repeats within 24 months",
            "As above with at most 730 days (I22); includes the 12-month repeats.",
            "R13 R15 I20 I22", Feed, BetterDirection.Lower),
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

            var plans = context.Inputs.CpPlans.For(member.Person);
            foreach (var plan in plans)
            {
                if (!context.Quarter.Contains(plan.Start) || plan.Start < member.FsStart)
                {
                    continue;
                }

                context.Add(NewPlans, member, 1);
                if (DaysSincePreviousPlan(plans, plan) is { } days)
                {
                    context.Count(Within12, member, days <= 365);
                    context.Count(Within24, member, days <= 730);
                }
            }
        }
    }

    /// <summary>
    /// Toolkit I20: days from the end of the latest earlier plan (started before this one and ended on or before its start)
    /// to this plan's start; null when the child has no earlier ended plan (I21/I22 left blank).
    /// </summary>
    public static int? DaysSincePreviousPlan(ReadOnlySpan<LinkedSpell> plans, LinkedSpell plan)
    {
        DateOnly? latestEnd = null;
        foreach (var earlier in plans)
        {
            if (earlier.Start < plan.Start && earlier.End is { } end && end <= plan.Start && (latestEnd is null || end > latestEnd))
            {
                latestEnd = end;
            }
        }

        return latestEnd is { } e ? plan.Start.DayNumber - e.DayNumber : null;
    }
}
