using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>
/// Indicator 17: domestic abuse incidents and repeats of adults being worked with, in the 365 days before and the 365 days
/// from FS start (equal windows), and per quarter from the baseline year on. Each distinct incident counts once for a cohort,
/// however many of its adults were party to it.
/// </summary>
public sealed class Indicator17DomesticAbuseIncidents : IKpiIndicator
{
    private const string Before = "KPI17.incidents_12m_before_fs";
    private const string After = "KPI17.incidents_12m_after_fs";
    private const string RepeatsBefore = "KPI17.repeats_12m_before_fs";
    private const string RepeatsAfter = "KPI17.repeats_12m_after_fs";
    private const string InQuarter = "KPI17.incidents_in_quarter";
    private const string Feed = "police-da-incidents, csc-people";

    /// <inheritdoc />
    public string Code => "KPI17";

    /// <inheritdoc />
    public string Title => "Domestic abuse incidents";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        Window(Before, KpiWindow.TwelveMonthsBeforeFs), Window(After, KpiWindow.TwelveMonthsAfterFs),
        Window(RepeatsBefore, KpiWindow.TwelveMonthsBeforeFs), Window(RepeatsAfter, KpiWindow.TwelveMonthsAfterFs),
        new(InQuarter, QuantityKind.Count, Feed: FeedCatalog.PoliceDaIncidents),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI17", "incidents_12m_before_fs", MeasureUnit.Count, Before, null, null,
            "DA incidents in the 12 months before FS start",
            "Distinct incidents in which an adult being worked with was victim or perpetrator, dated in the 365 days before their family's FS start "
            + "(I01 + I02); an incident with two such adults counts once.",
            "I01 I02", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsBeforeFs },
        new("KPI17", "incidents_12m_after_fs", MeasureUnit.Count, After, null, null,
            "DA incidents in the 12 months after FS start",
            "As above, dated in the 365 days from FS start (FS start to FS start + 364 days, the same length as the window before); "
            + "published once every cohort adult's 365 days have passed.",
            "I03 I04", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsAfterFs },
        new("KPI17", "incidents_change", MeasureUnit.Change, After, Before, null,
            "Change in DA incidents, 12 months after minus 12 months before FS start",
            "incidents_12m_after_fs minus incidents_12m_before_fs, from the published (rounded) counts; negative is a fall. "
            + "Published only when both windows are complete; window_start and window_end give the days the two windows cover.",
            "I01 I02 I03 I04", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsBeforeAndAfterFs },
        new("KPI17", "repeats_12m_before_fs", MeasureUnit.Count, RepeatsBefore, null, null,
            "Repeat DA incidents in the 12 months before FS start",
            "Distinct incidents in the window that were not the first of the window for at least one adult being worked with who was party to them "
            + "(per adult, incidents minus one).",
            "I01 I02", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsBeforeFs },
        new("KPI17", "repeats_12m_after_fs", MeasureUnit.Count, RepeatsAfter, null, null,
            "Repeat DA incidents in the 12 months after FS start",
            "As above for the 365 days from FS start; published once every cohort adult's window has passed.",
            "I03 I04", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsAfterFs },
        new("KPI17", "repeats_change", MeasureUnit.Change, RepeatsAfter, RepeatsBefore, null,
            "Change in repeat DA incidents, 12 months after minus 12 months before FS start",
            "repeats_12m_after_fs minus repeats_12m_before_fs, from the published counts; negative is a fall; only when both windows are complete.",
            "I01 I02 I03 I04", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsBeforeAndAfterFs },
        new("KPI17", "incidents_in_quarter", MeasureUnit.Count, InQuarter, null, null,
            "DA incidents in the quarter",
            "Distinct incidents dated in the quarter to which an adult being worked with was party: before their FS start in the baseline "
            + "quarters, from their FS start on in the cohort's first quarter and after (I03 + I04). Line these up on quarters_since_fs_start "
            + "for the before/after view.",
            "I01 I02 I03 I04", Feed, BetterDirection.Lower) { Baseline = true },
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var baseline = context.QuartersSinceFsStart < 0;
        foreach (var member in context.Members)
        {
            if (!CohortPopulations.IsAdultWorkedWith(member))
            {
                continue;
            }

            var from = baseline || member.FsStart < context.QuarterStart ? context.QuarterStart : member.FsStart;
            var to = baseline && member.FsStart <= context.QuarterEnd ? member.FsStart.AddDays(-1) : context.QuarterEnd;
            foreach (var incident in context.Inputs.Incidents.For(member.Person))
            {
                if (incident.Date > to)
                {
                    break; // the series is in date order
                }

                if (DomesticAbuse.IsParty(incident) && incident.Date >= from)
                {
                    context.CountOnce(InQuarter, member, incident.Incident);
                }
            }
        }
    }

    /// <inheritdoc />
    public void ComputeWindows(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (!CohortPopulations.IsAdultWorkedWith(member))
            {
                continue;
            }

            var incidents = context.Inputs.Incidents.For(member.Person);
            CountWindow(context, member, incidents, KpiWindows.BeforeFs(member.FsStart), Before, RepeatsBefore);
            CountWindow(context, member, incidents, KpiWindows.AfterFs(member.FsStart), After, RepeatsAfter);
        }
    }

    // Incidents are sorted by date, then incident number: the person's first in the window is not a repeat, the others are.
    private static void CountWindow(QuarterContext context, CohortMember member, ReadOnlySpan<LinkedIncident> incidents, (DateOnly From, DateOnly To) window, string count, string repeats)
    {
        var seen = 0;
        foreach (var incident in incidents)
        {
            if (DomesticAbuse.IsParty(incident) && incident.Date >= window.From && incident.Date <= window.To)
            {
                context.CountOnce(count, member, incident.Incident);
                if (seen++ > 0)
                {
                    context.CountOnce(repeats, member, incident.Incident);
                }
            }
        }
    }

    private static QuantityDefinition Window(string id, KpiWindow window) =>
        new(id, QuantityKind.Count, PerCohort: true, Feed: FeedCatalog.PoliceDaIncidents, Reads: window);
}
