using DataHub.Core.Disclosure;
using DataHub.Core.Feeds;
using DataHub.Core.Kpis;

namespace DataHub.Core.Governance;

/// <summary>A feed's cohort coverage in a quarter, disclosure-controlled: people are counted, so only published numbers appear.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="Quarter">The quarter.</param>
/// <param name="PeopleReached">Cohort people with a linked record of the feed dated up to the quarter's end (rounded), or null when withheld.</param>
/// <param name="CohortPeople">Cohort people whose family's FS start is on or before the quarter's end (rounded), or null when withheld.</param>
/// <param name="Share">Reached over cohort people, worked out from the published numbers; null when withheld.</param>
/// <param name="Marker">"" or the disclosure marker ([c], [z]).</param>
public sealed record CoverageCell(string Feed, Quarter Quarter, long? PeopleReached, long? CohortPeople, double? Share, string Marker);

/// <summary>
/// Cohort coverage: the share of cohort people (all cohorts, FS started by the quarter's end) that a partner feed reaches,
/// i.e. has at least one linked record about, dated up to the quarter's end. The counts go through the same disclosure
/// control as the KPI tables, under the feed's profile; the share is worked out from the published (rounded) counts.
/// </summary>
public static class CohortCoverage
{
    /// <summary>Coverage per person-level partner feed and quarter (the cohort feed itself and the aggregate health feed have none).</summary>
    public static IReadOnlyList<CoverageCell> Compute(KpiInputs inputs, IReadOnlyList<Quarter> quarters, Func<string, DisclosureProfile> profileOf)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(quarters);
        ArgumentNullException.ThrowIfNull(profileOf);
        var n = inputs.People.Count;
        var fsStart = new DateOnly?[n];
        foreach (var a in inputs.Allocations)
        {
            fsStart[a.Person] = fsStart[a.Person] is { } d && d < a.FsStartDate ? d : a.FsStartDate;
        }

        var firstDates = new Dictionary<string, DateOnly?[]>(StringComparer.Ordinal)
        {
            [FeedCatalog.CscCpPlans] = First(inputs.CpPlans, n, r => r.Start),
            [FeedCatalog.CscClaPeriods] = First(inputs.ClaPeriods, n, r => r.Start),
            [FeedCatalog.PoliceDaIncidents] = First(inputs.Incidents, n, r => r.Date),
            [FeedCatalog.SubstanceMisuseEpisodes] = First(inputs.Episodes, n, r => r.AssessmentDate),
            [FeedCatalog.SubstanceMisuseTops] = First(inputs.TopsForms, n, r => r.FormDate),
            [FeedCatalog.SchoolAttendance] = First(inputs.Attendance, n, r => r.PeriodStart),
            [FeedCatalog.DaProgrammes] = First(inputs.Programmes, n, r => r.Start),
            [FeedCatalog.MentalHealthScores] = First(inputs.Scores, n, r => r.Date),
        };

        var cells = new List<CoverageCell>();
        foreach (var (feed, first) in firstDates.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var counts = new List<CountCell>();
            var rates = new List<RateCell>();
            foreach (var q in quarters)
            {
                long cohort = 0;
                long reached = 0;
                for (var p = 0; p < n; p++)
                {
                    if (fsStart[p] is { } s && s <= q.End)
                    {
                        cohort++;
                        reached += first[p] is { } f && f <= q.End ? 1 : 0;
                    }
                }

                counts.Add(new CountCell($"{q}|cohort", cohort));
                counts.Add(new CountCell($"{q}|{feed}", reached));
                rates.Add(new RateCell($"{q}|{feed}|share", $"{q}|{feed}", $"{q}|cohort"));
            }

            var result = new DisclosureControl(profileOf(feed)).Apply(new DisclosureTable(counts, [], rates));
            foreach (var q in quarters)
            {
                var num = result.Count($"{q}|{feed}");
                var den = result.Count($"{q}|cohort");
                var withheld = num.Value is null || den.Value is null;
                var marker = withheld ? (num.Value is null ? num.Marker : den.Marker) : den.Value == 0 ? DisclosureMarker.NotApplicable : DisclosureMarker.None;
                cells.Add(marker == DisclosureMarker.None
                    ? new CoverageCell(feed, q, num.Value, den.Value, (double)num.Value!.Value / den.Value!.Value, "")
                    : new CoverageCell(feed, q, null, null, null, marker.ToText()));
            }
        }

        return cells;
    }

    private static DateOnly?[] First<T>(PersonSeries<T> series, int people, Func<T, DateOnly> date)
        where T : struct
    {
        var first = new DateOnly?[people];
        for (var p = 0; p < people; p++)
        {
            foreach (var r in series.For(p))
            {
                var d = date(r);
                first[p] = first[p] is { } f && f <= d ? f : d;
            }
        }

        return first;
    }
}
