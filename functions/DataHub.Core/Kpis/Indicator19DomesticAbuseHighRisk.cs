using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>Indicator 19: adults being worked with who had 4 or more repeat DA incidents in the 12 months to the quarter end, or a MARAC referral.</summary>
public sealed class Indicator19DomesticAbuseHighRisk : IKpiIndicator
{
    private const string Flagged = "KPI19.people_flagged";
    private const string Feed = "police-da-incidents, csc-people";

    /// <summary>Repeats at or above which a person is flagged.</summary>
    public const int RepeatThreshold = 4;

    /// <inheritdoc />
    public string Code => "KPI19";

    /// <inheritdoc />
    public string Title => "Adults at high risk of domestic abuse";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
        [new(Flagged, QuantityKind.Count, Feed: FeedCatalog.PoliceDaIncidents, Reads: KpiWindow.TwelveMonthsToQuarterEnd)];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI19", "people_flagged", MeasureUnit.Proportion, Flagged, CohortPopulations.AdultsWorkedWith, null,
            "Adults with 4+ repeat DA incidents in 12 months or a MARAC referral",
            "Adults being worked with who, in the 365 days ending on the quarter's last day, were party to 5 or more incidents (4 or more repeats) "
            + "or to an incident referred to MARAC (I66, I68); denominator: adults being worked with. Published for the baseline year too.",
            "I66 I68", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsToQuarterEnd, Baseline = true },
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (CohortPopulations.IsAdultWorkedWith(member))
            {
                context.Count(Flagged, member, IsFlagged(context.Inputs.Incidents.For(member.Person), context.QuarterEnd));
            }
        }
    }

    /// <summary>True when, in the 365 days ending on <paramref name="quarterEnd"/>, the repeats reach 4 or any incident went to MARAC.</summary>
    public static bool IsFlagged(ReadOnlySpan<LinkedIncident> incidents, DateOnly quarterEnd)
    {
        var from = quarterEnd.AddDays(1 - KpiWindows.FixedWindowDays);
        var n = 0;
        foreach (var incident in incidents)
        {
            if (DomesticAbuse.IsParty(incident) && incident.Date >= from && incident.Date <= quarterEnd)
            {
                if (incident.MaracReferral)
                {
                    return true;
                }

                n++;
            }
        }

        return DomesticAbuse.Repeats(n) >= RepeatThreshold;
    }
}
