using DataHub.Core.Disclosure;
using DataHub.Core.Feeds;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;

namespace DataHub.Core.Governance;

/// <summary>A feed's cohort coverage in a quarter, disclosure-controlled: people are counted, so only published numbers appear.</summary>
/// <param name="Feed">The feed.</param>
/// <param name="Quarter">The quarter.</param>
/// <param name="PeopleReached">Those people with a linked record of the feed dated up to the quarter's end (rounded), or null when withheld.</param>
/// <param name="CohortPeople">The people of the cohorts started by the quarter's end: the cohorts table's published children and adults added up, or null when withheld.</param>
/// <param name="Share">Reached over cohort people, worked out from the published numbers; null when withheld.</param>
/// <param name="Marker">"" or the disclosure marker ([c], [z], [x]).</param>
public sealed record CoverageCell(string Feed, Quarter Quarter, long? PeopleReached, long? CohortPeople, double? Share, string Marker);

/// <summary>A cohort's size as the current KPI version's cohorts table publishes it: children and adults, null when withheld.</summary>
/// <param name="Cohort">The cohort's name and window.</param>
/// <param name="Children">The published (rounded) children, or null.</param>
/// <param name="Adults">The published (rounded) adults, or null.</param>
public sealed record PublishedCohortSize(CohortDefinition Cohort, long? Children, long? Adults);

/// <summary>
/// Cohort coverage: the share of the cohorts' people (every cohort whose window has started by the quarter's end) that a partner
/// feed reaches, i.e. has at least one linked record about, dated up to the quarter's end. The people reached go through the
/// same disclosure control as the KPI tables, under the feed's profile; the share is worked out from the published numbers.
/// <list type="bullet">
/// <item>The cohorts' people are the cohorts table's children and adults as published, added up: a count rounded on its own
/// beside them could pin them (a quarter's 13 people beside a cohort's 10 children and 5 adults, 8–12 and 5–7, gives 8 and
/// 5), and decided per feed it was shown in one feed's row and withheld in another's. Added up from the published table it
/// tells nothing the table does not, and it is one figure in every row. While a started cohort's size is withheld it is
/// withheld too ([c]); a quarter before any cohort, or whose cohorts have nobody, is not applicable ([z]).</item>
/// <item>Nobody is reached without a linked record, nor outside the cohorts, so the people reached are protected knowing they
/// are at most the feed's linked records and at most the cohorts' people, both taken as known exactly (a reader may know less):
/// 13 reached (13–17 under the sensitive profile) beside a feed of 71 records, 60 of them unlinked (58–62), were exactly 13.</item>
/// </list>
/// </summary>
public static class CohortCoverage
{
    /// <summary>Coverage per person-level partner feed and quarter (the cohort feed itself and the aggregate health feed have none).</summary>
    /// <param name="inputs">The linked inputs.</param>
    /// <param name="quarters">The quarters scored.</param>
    /// <param name="profileOf">Each feed's disclosure profile.</param>
    /// <param name="cohortSizes">The cohorts table as the current KPI version publishes it; with none (no KPI version yet) coverage is not available ([x]).</param>
    /// <param name="linkQuality">The link_quality rows: a feed's linked records (its <c>all</c> row) bound the people it reaches.</param>
    public static IReadOnlyList<CoverageCell> Compute(
        KpiInputs inputs,
        IReadOnlyList<Quarter> quarters,
        Func<string, DisclosureProfile> profileOf,
        IReadOnlyList<PublishedCohortSize> cohortSizes,
        IReadOnlyList<LinkQualityRow>? linkQuality = null)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(quarters);
        ArgumentNullException.ThrowIfNull(profileOf);
        ArgumentNullException.ThrowIfNull(cohortSizes);
        var n = inputs.People.Count;
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

        var members = cohortSizes.Select(c => KpiCalculator.MembersOf(inputs, c.Cohort)).ToArray();
        var started = quarters.ToDictionary(q => q, q => Enumerable.Range(0, cohortSizes.Count).Where(c => cohortSizes[c].Cohort.WindowStart <= q.End).ToArray());
        var people = quarters.ToDictionary(q => q, q => started[q].SelectMany(c => members[c].Select(m => m.Person)).ToHashSet());
        PublishedCount CohortPeople(Quarter q)
        {
            var sizes = started[q].SelectMany(c => new[] { cohortSizes[c].Children, cohortSizes[c].Adults }).ToArray();
            return sizes.Any(s => s is null)
                ? new PublishedCount($"{q}|cohort", null, DisclosureMarker.Confidential, SuppressionReason.Secondary, null, null)
                : new PublishedCount($"{q}|cohort", sizes.Sum(s => s!.Value), DisclosureMarker.None, SuppressionReason.None, null, null);
        }

        var cells = new List<CoverageCell>();
        foreach (var (feed, first) in firstDates.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var counts = new List<CountCell>();
            var margins = new List<Margin>();
            var linked = linkQuality?.FirstOrDefault(r => r.Feed == feed && r.Key == "all")?.Linked;
            if (linked is { } known)
            {
                counts.Add(new CountCell("linked", known, Public: true));
            }

            foreach (var q in quarters)
            {
                var reached = people[q].LongCount(p => first[p] is { } f && f <= q.End);
                counts.Add(new CountCell($"{q}|{feed}", reached));
                if (linked is { } total && total >= reached)
                {
                    counts.Add(new CountCell($"{q}|linked_not_reached", total - reached, Hidden: true));
                    margins.Add(new Margin("linked", [$"{q}|{feed}", $"{q}|linked_not_reached"]));
                }

                var everyone = started[q].Sum(c => (long)members[c].Count);
                counts.Add(new CountCell($"{q}|people", everyone, Public: true));
                counts.Add(new CountCell($"{q}|people_not_reached", everyone - reached, Hidden: true));
                margins.Add(new Margin($"{q}|people", [$"{q}|{feed}", $"{q}|people_not_reached"]));
            }

            var result = new DisclosureControl(profileOf(feed)).Apply(new DisclosureTable(counts, margins, []));
            foreach (var q in quarters)
            {
                var num = result.Count($"{q}|{feed}");
                var den = CohortPeople(q);
                var marker = cohortSizes.Count == 0 ? DisclosureMarker.Unavailable
                    : den.Value == 0 ? DisclosureMarker.NotApplicable
                    : den.Value is null ? den.Marker
                    : num.Value is null ? num.Marker
                    : DisclosureMarker.None;
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
