namespace DataHub.Core.Kpis;

/// <summary>Indicator 17: domestic abuse incidents and repeats of adults being worked with, 12 months before and 12 months after FS start.</summary>
public sealed class Indicator17DomesticAbuseIncidents : IKpiIndicator
{
    private const string Before = "KPI17.incidents_12m_before_fs";
    private const string After = "KPI17.incidents_12m_after_fs";
    private const string RepeatsBefore = "KPI17.repeats_12m_before_fs";
    private const string RepeatsAfter = "KPI17.repeats_12m_after_fs";
    private const string InQuarter = "KPI17.incidents_in_quarter_since_fs";
    private const string Feed = "police-da-incidents, csc-people";

    /// <inheritdoc />
    public string Code => "KPI17";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Before, QuantityKind.Count), new(After, QuantityKind.Count), new(RepeatsBefore, QuantityKind.Count),
        new(RepeatsAfter, QuantityKind.Count), new(InQuarter, QuantityKind.Count),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI17", "incidents_12m_before_fs", MeasureUnit.Count, Before, null, null,
            "DA incidents in the 12 months before FS start",
            "Incidents in which an adult being worked with was victim or perpetrator, dated in the 365 days before their family's FS start (I01 + I02), summed over adults.",
            "I01 I02", Feed, BetterDirection.Lower),
        new("KPI17", "incidents_12m_after_fs", MeasureUnit.Count, After, null, null,
            "DA incidents in the 12 months after FS start (to the quarter end)",
            "As above, dated from FS start to 365 days after it and no later than the quarter end.",
            "I03 I04", Feed, BetterDirection.Lower),
        new("KPI17", "incidents_change", MeasureUnit.Change, After, Before, null,
            "Change in DA incidents, after minus before FS start",
            "incidents_12m_after_fs minus incidents_12m_before_fs; negative is a fall.",
            "I01 I02 I03 I04", Feed, BetterDirection.Lower),
        new("KPI17", "repeats_12m_before_fs", MeasureUnit.Count, RepeatsBefore, null, null,
            "Repeat DA incidents in the 12 months before FS start",
            "Per adult being worked with: incidents in the window minus one, never below zero; summed over adults.",
            "I01 I02", Feed, BetterDirection.Lower),
        new("KPI17", "repeats_12m_after_fs", MeasureUnit.Count, RepeatsAfter, null, null,
            "Repeat DA incidents in the 12 months after FS start (to the quarter end)",
            "As above for the after window.",
            "I03 I04", Feed, BetterDirection.Lower),
        new("KPI17", "repeats_change", MeasureUnit.Change, RepeatsAfter, RepeatsBefore, null,
            "Change in repeat DA incidents, after minus before FS start",
            "repeats_12m_after_fs minus repeats_12m_before_fs; negative is a fall.",
            "I01 I02 I03 I04", Feed, BetterDirection.Lower),
        new("KPI17", "incidents_in_quarter_since_fs", MeasureUnit.Count, InQuarter, null, null,
            "DA incidents in the quarter since FS start",
            "Incidents in the quarter, on or after FS start, in which an adult being worked with was victim or perpetrator (I03 + I04).",
            "I03 I04", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (!CohortPopulations.IsAdultWorkedWith(member))
            {
                continue;
            }

            var incidents = context.Inputs.Incidents.For(member.Person);
            var (before, after) = BeforeAndAfter(incidents, member.FsStart, context.QuarterEnd);
            context.Add(Before, member, before);
            context.Add(After, member, after);
            context.Add(RepeatsBefore, member, DomesticAbuse.Repeats(before));
            context.Add(RepeatsAfter, member, DomesticAbuse.Repeats(after));
            var quarterFrom = member.FsStart > context.QuarterStart ? member.FsStart : context.QuarterStart;
            context.Add(InQuarter, member, DomesticAbuse.CountBetween(incidents, quarterFrom, context.QuarterEnd));
        }
    }

    /// <summary>
    /// Incidents in the 365 days before FS start (FS start − 365 to the day before), and from FS start to 365 days after it,
    /// counting the after window only up to <paramref name="asOf"/>.
    /// </summary>
    public static (int Before, int After) BeforeAndAfter(ReadOnlySpan<LinkedIncident> incidents, DateOnly fsStart, DateOnly asOf)
    {
        var before = DomesticAbuse.CountBetween(incidents, fsStart.AddDays(-365), fsStart.AddDays(-1));
        var afterEnd = fsStart.AddDays(365);
        var after = DomesticAbuse.CountBetween(incidents, fsStart, afterEnd < asOf ? afterEnd : asOf);
        return (before, after);
    }
}
