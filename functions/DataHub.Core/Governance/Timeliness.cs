using DataHub.Core.Kpis;
using DataHub.Core.Protocols;

namespace DataHub.Core.Governance;

/// <summary>Red, amber, green, or not rated (nothing due yet, nothing to measure).</summary>
public static class Rag
{
    /// <summary>Within the agreement's expectations.</summary>
    public const string Green = "green";

    /// <summary>Short of them, within the red threshold.</summary>
    public const string Amber = "amber";

    /// <summary>Beyond the red threshold, or not received.</summary>
    public const string Red = "red";

    /// <summary>Nothing to rate.</summary>
    public const string None = "";

    /// <summary>The worse of two statuses.</summary>
    public static string Worst(string a, string b) => Rank(a) >= Rank(b) ? a : b;

    /// <summary>A share that is good when high (completeness, coverage): red below <paramref name="red"/>, amber below <paramref name="amber"/>.</summary>
    public static string High(double? share, double amber, double red) =>
        share is not { } s ? None : s < red ? Red : s < amber ? Amber : Green;

    /// <summary>A share that is good when low (rejections, duplicates): red above <paramref name="red"/>, amber above <paramref name="amber"/>.</summary>
    public static string Low(double? share, double amber, double red) =>
        share is not { } s ? None : s > red ? Red : s > amber ? Amber : Green;

    private static int Rank(string s) => s switch { Red => 3, Amber => 2, Green => 1, _ => 0 };
}

/// <summary>How one feed's deliveries for the periods of one quarter arrived against their due dates.</summary>
/// <param name="PeriodsExpected">Delivery periods (months or the quarter) in the quarter owed under the agreement (due while it is in force).</param>
/// <param name="PeriodsReceived">Of those, periods a stored delivery covers.</param>
/// <param name="PeriodsLate">Periods received after their due date, or not received once due.</param>
/// <param name="ExpectedDate">The due date of the quarter's last period.</param>
/// <param name="ActualDate">When the last of its periods arrived; null while any owed period is missing, or when none arrived.</param>
/// <param name="DaysLate">The most days any period arrived (or, missing, has been waiting) past its due date.</param>
/// <param name="Status">Green when every period arrived by its due date; amber when late by up to the agreement's red threshold; red beyond it or when a due period has not arrived.</param>
public sealed record TimelinessScore(int PeriodsExpected, int PeriodsReceived, int PeriodsLate, DateOnly ExpectedDate, DateOnly? ActualDate, int DaysLate, string Status);

/// <summary>
/// Scores timeliness: each period of the agreement's cadence is due on its due day of the month after it ends, and is owed
/// only when that day falls while the agreement is in force (history sent under a new agreement is not late).
/// </summary>
public static class Timeliness
{
    /// <summary>Scores <paramref name="quarter"/> for a feed whose stored deliveries covered the given day ranges, received at the given times.</summary>
    /// <param name="partner">The partner's agreement: its validity and scorecard thresholds.</param>
    /// <param name="agreement">The feed's terms in it: cadence and due day.</param>
    /// <param name="quarter">The quarter whose periods are scored.</param>
    /// <param name="received">Each stored delivery's day range and the date it was received.</param>
    /// <param name="today">Today: a period not yet due is not late.</param>
    public static TimelinessScore Score(PartnerProtocol partner, FeedAgreement agreement, Quarter quarter, IReadOnlyList<(DateOnly From, DateOnly To, DateOnly ReceivedOn)> received, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(partner);
        ArgumentNullException.ThrowIfNull(agreement);
        ArgumentNullException.ThrowIfNull(received);
        var expected = 0;
        var got = 0;
        var late = 0;
        var worstDays = 0;
        var status = Rag.None;
        DateOnly? lastArrival = null;
        var missing = false;
        var due = quarter.End;
        for (var day = quarter.Start; day <= quarter.End; day = agreement.ExpectedCadence.PeriodOf(day).End.AddDays(1))
        {
            var (start, end) = agreement.ExpectedCadence.PeriodOf(day);
            due = agreement.DueDateFor(start);
            var arrivals = received.Where(r => r.From <= start && r.To >= end).Select(r => r.ReceivedOn).ToArray();
            DateOnly? first = arrivals.Length > 0 ? arrivals.Min() : null;
            if (first is { } f)
            {
                lastArrival = lastArrival is { } l && l > f ? l : f;
            }

            if (!partner.InForceOn(due))
            {
                // Owed under no agreement: before this one came into force (a first load of history) or after it ended.
                // When it came is still told; it is neither expected nor late.
                continue;
            }

            expected++;
            if (first is not { } arrived)
            {
                missing = true;
                if (today > due)
                {
                    late++;
                    worstDays = Math.Max(worstDays, today.DayNumber - due.DayNumber);
                    status = Rag.Red;
                }

                continue;
            }

            got++;
            var days = arrived.DayNumber - due.DayNumber;
            if (days > 0)
            {
                late++;
                worstDays = Math.Max(worstDays, days);
                status = Rag.Worst(status, days > partner.Scorecard.LateRedDays ? Rag.Red : Rag.Amber);
            }
            else
            {
                status = Rag.Worst(status, Rag.Green);
            }
        }

        return new TimelinessScore(expected, got, late, due, missing ? null : lastArrival, worstDays, status);
    }
}
