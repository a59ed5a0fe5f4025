using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;

namespace DataHub.Core.Rollup;

/// <summary>One row of the published kpi_values table (contract C9): suppressed cells have null numbers and a marker.</summary>
public sealed record PublishedKpiValue(
    string Cohort,
    string Quarter,
    string Indicator,
    string Measure,
    string Breakdown,
    long? Numerator,
    long? Denominator,
    double? Value,
    string Marker);

/// <summary>One row of the published cohorts table.</summary>
public sealed record PublishedCohort(string Cohort, DateOnly WindowStart, DateOnly WindowEnd, long? Families, long? Children, long? Adults, string Marker);

/// <summary>The disclosure-controlled tables of one run.</summary>
/// <param name="Values">kpi_values rows in computed order.</param>
/// <param name="Cohorts">cohorts rows.</param>
/// <param name="SuppressedCells">How many count cells were suppressed (primary or secondary).</param>
/// <param name="Profiles">The profile (or combined profile) name applied to each indicator.</param>
public sealed record KpiPublication(
    IReadOnlyList<PublishedKpiValue> Values,
    IReadOnlyList<PublishedCohort> Cohorts,
    int SuppressedCells,
    IReadOnlyDictionary<string, string> Profiles);

/// <summary>
/// Applies disclosure control (contract C8) to computed KPIs. Each indicator is published under the strictest of the
/// profiles its source feeds' agreements name; one disclosure table per profile holds every count that profile publishes
/// with its breakdown margins, and a cell that appears under several profiles (a cohort population) takes the most
/// protective decision, so one quantity gets one decision wherever it is published.
/// </summary>
public sealed class KpiPublisher
{
    private readonly IReadOnlyDictionary<string, DisclosureProfile> _feedProfiles;
    private readonly DisclosureProfile _fallback;

    /// <summary>Uses the profile each feed's agreement names; feeds without one get <paramref name="fallback"/>.</summary>
    public KpiPublisher(IReadOnlyDictionary<string, DisclosureProfile> feedProfiles, DisclosureProfile fallback)
    {
        _feedProfiles = feedProfiles ?? throw new ArgumentNullException(nameof(feedProfiles));
        _fallback = fallback ?? throw new ArgumentNullException(nameof(fallback));
    }

    /// <summary>The strictest combination of profiles: highest threshold, rounding base and minimum denominator; zeros suppressed if any says so.</summary>
    public static DisclosureProfile Strictest(IReadOnlyCollection<DisclosureProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var distinct = profiles.DistinctBy(p => p.Name).OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();
        if (distinct.Length == 1)
        {
            return distinct[0];
        }

        var rounding = distinct.Max(p => p.RoundingBase ?? 0);
        return new DisclosureProfile(
            string.Join('+', distinct.Select(p => p.Name)),
            distinct.Max(p => p.Threshold),
            distinct.Any(p => p.SuppressZeros),
            rounding >= 2 ? rounding : null,
            distinct.Max(p => p.MinimumDenominator));
    }

    /// <summary>The profile an indicator's measure is published under.</summary>
    public DisclosureProfile ProfileFor(MeasureDefinition measure)
    {
        ArgumentNullException.ThrowIfNull(measure);
        var feeds = measure.SourceFeed.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return Strictest(feeds.Select(f => _feedProfiles.TryGetValue(f, out var p) ? p : _fallback).ToArray());
    }

    /// <summary>Suppresses, rounds and assembles the published rows.</summary>
    public KpiPublication Publish(KpiResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var cellsById = results.Cells.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var cohortProfile = Strictest([_feedProfiles.TryGetValue("csc-people", out var csc) ? csc : _fallback]);

        // Group rows by profile; the cohorts table goes with the cohort feed's profile.
        var groups = new Dictionary<string, (DisclosureProfile Profile, HashSet<string> Cells, List<RateCell> Rates)>(StringComparer.Ordinal);
        var indicatorProfiles = new SortedDictionary<string, string>(StringComparer.Ordinal);
        (DisclosureProfile Profile, HashSet<string> Cells, List<RateCell> Rates) GroupOf(DisclosureProfile p)
        {
            if (!groups.TryGetValue(p.Name, out var g))
            {
                g = (p, new HashSet<string>(StringComparer.Ordinal), []);
                groups[p.Name] = g;
            }

            return g;
        }

        foreach (var row in results.Rows)
        {
            var profile = ProfileFor(row.Measure);
            indicatorProfiles[row.Measure.Indicator] = profile.Name;
            var group = GroupOf(profile);
            foreach (var cell in new[] { row.Numerator, row.Denominator, row.Guard })
            {
                if (cell is { Kind: QuantityKind.Count })
                {
                    group.Cells.Add(cell.Id);
                }
            }

            if (row.Measure.Unit == MeasureUnit.Proportion && row.Denominator is not null)
            {
                group.Rates.Add(new RateCell(RowId(row), row.Numerator.Id, row.Denominator.Id));
            }
        }

        var cohortGroup = GroupOf(cohortProfile);
        foreach (var summary in results.Cohorts)
        {
            cohortGroup.Cells.Add(summary.Families.Id);
            cohortGroup.Cells.Add(summary.Children.Id);
            cohortGroup.Cells.Add(summary.Adults.Id);
        }

        var counts = new Dictionary<string, PublishedCount>(StringComparer.Ordinal);
        var rates = new Dictionary<string, PublishedRate>(StringComparer.Ordinal);
        foreach (var (_, (profile, cellIds, rateCells)) in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            // Every margin whose cells all belong to this group is one a reader of this output can form.
            var margins = results.Margins
                .Where(m => cellIds.Contains(m.TotalId) && m.PartIds.All(cellIds.Contains))
                .Select(m => new Margin(m.TotalId, m.PartIds))
                .ToArray();
            var table = new DisclosureTable(
                cellIds.Order(StringComparer.Ordinal).Select(id => new CountCell(id, cellsById[id].Value)).ToArray(),
                margins,
                rateCells);
            var result = new DisclosureControl(profile).Apply(table);
            var withheld = WithheldQuantities(result.Unprotected, cellsById);
            foreach (var count in result.Counts)
            {
                var decided = withheld.Contains(QuantityKey(cellsById[count.Id])) && count.Marker == DisclosureMarker.None
                    ? count with { Value = null, Marker = DisclosureMarker.Confidential, Reason = SuppressionReason.Secondary }
                    : count;
                counts[count.Id] = counts.TryGetValue(count.Id, out var earlier) ? MoreProtective(earlier, decided) : decided;
            }

            foreach (var rate in result.Rates)
            {
                rates[rate.Id] = rate;
            }
        }

        var values = results.Rows.Select(r => Assemble(r, counts, rates, ProfileFor(r.Measure))).ToArray();
        var cohorts = results.Cohorts.Select(s =>
        {
            var f = counts[s.Families.Id];
            var c = counts[s.Children.Id];
            var a = counts[s.Adults.Id];
            var marker = new[] { f, c, a }.Select(x => x.Marker).FirstOrDefault(m => m != DisclosureMarker.None);
            return new PublishedCohort(s.Definition.Name, s.Definition.WindowStart, s.Definition.WindowEnd, f.Value, c.Value, a.Value, marker.ToText());
        }).ToArray();
        var suppressed = counts.Values.Count(c => c.Reason is SuppressionReason.Primary or SuppressionReason.Secondary);
        return new KpiPublication(values, cohorts, suppressed, indicatorProfiles);
    }

    private static string RowId(KpiRow row) => string.Join('|', row.Cohort, row.Quarter, row.Measure.Indicator + "." + row.Measure.Measure, row.Breakdown);

    private static string QuantityKey(KpiCell cell) => string.Join('|', cell.Cohort, cell.Quarter ?? "*", cell.Quantity);

    private static HashSet<string> WithheldQuantities(IReadOnlyList<string> unprotected, Dictionary<string, KpiCell> cellsById) =>
        unprotected.Select(id => QuantityKey(cellsById[id])).ToHashSet(StringComparer.Ordinal);

    private static PublishedCount MoreProtective(PublishedCount a, PublishedCount b) =>
        a.Value is null ? a : b.Value is null ? b : a;

    private static PublishedKpiValue Assemble(KpiRow row, Dictionary<string, PublishedCount> counts, Dictionary<string, PublishedRate> rates, DisclosureProfile profile)
    {
        var m = row.Measure;
        PublishedKpiValue Make(long? numerator, long? denominator, double? value, DisclosureMarker marker) =>
            new(row.Cohort, row.Quarter, m.Indicator, m.Measure, row.Breakdown, numerator, denominator, value, marker.ToText());

        PublishedCount? Count(KpiCell? cell) => cell is { Kind: QuantityKind.Count } ? counts[cell.Id] : null;
        var numerator = Count(row.Numerator);
        var denominator = Count(row.Denominator);
        var guard = Count(row.Guard);
        var withheld = new[] { numerator, denominator, guard }.FirstOrDefault(c => c is not null && c.Value is null);
        if (withheld is not null)
        {
            // Counts that are themselves publishable stay visible (they are published elsewhere anyway); sums of days or
            // sessions are shown only beside a publishable guard count, since they follow its suppression pattern.
            return m.Unit is MeasureUnit.AverageDays or MeasureUnit.SessionRate
                ? Make(null, null, null, withheld.Marker)
                : Make(numerator?.Value, denominator?.Value, null, withheld.Marker);
        }

        switch (m.Unit)
        {
            case MeasureUnit.Count:
                return Make(numerator!.Value, null, numerator.Value, DisclosureMarker.None);
            case MeasureUnit.Proportion:
                var rate = rates[RowId(row)];
                return Make(numerator!.Value, denominator!.Value, rate.Value, rate.Marker);
            case MeasureUnit.Change:
                return Make(numerator!.Value, denominator!.Value, numerator.Value - denominator.Value, DisclosureMarker.None);
            default:
                // Averages and session rates: sums of days or sessions over a published count of plans or pupils.
                var over = row.Denominator!.Value;
                if (over == 0)
                {
                    return Make(row.Numerator.Value, over, null, DisclosureMarker.NotApplicable);
                }

                // The minimum applies to the exact number of plans or pupils, as the module does for rates, not the rounded one.
                var people = row.Guard?.Value ?? over;
                var value = (double)row.Numerator.Value / over;
                return people < profile.MinimumDenominator
                    ? Make(row.Numerator.Value, denominator?.Value ?? over, null, DisclosureMarker.Low)
                    : Make(row.Numerator.Value, denominator?.Value ?? over, value, DisclosureMarker.None);
        }
    }
}
