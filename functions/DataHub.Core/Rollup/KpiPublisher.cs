using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;

namespace DataHub.Core.Rollup;

/// <summary>One row of the published kpi_values table, shaped for Power BI: a key joining kpi_definitions, dates and a quarter
/// offset to line cohorts up, the breakdown as type and value; a row with a marker other than <c>[u]</c> shows no value.</summary>
/// <param name="MeasureKey">Joins kpi_definitions, e.g. <c>KPI17.incidents_in_quarter</c>.</param>
/// <param name="Indicator">E.g. <c>KPI17</c>.</param>
/// <param name="Measure">E.g. <c>incidents_in_quarter</c>.</param>
/// <param name="Unit">count, proportion, average_days, session_rate or change.</param>
/// <param name="Cohort">The cohort.</param>
/// <param name="Quarter">The quarter label, e.g. <c>2018Q1</c>; joins the quarters table.</param>
/// <param name="QuarterStart">The quarter's first day.</param>
/// <param name="QuarterEnd">The quarter's last day.</param>
/// <param name="QuartersSinceFsStart">0 for the cohort's first quarter (the one its FS starts fall in), −4 to −1 for the baseline year.</param>
/// <param name="Period">before_fs, fs_start or after_fs, from <paramref name="QuartersSinceFsStart"/>.</param>
/// <param name="Window">Which days the value covers, published as time_window (quarter, 12m_before_fs, 12m_after_fs, …).</param>
/// <param name="WindowStart">The first day covered, over all of the cohort's FS start dates.</param>
/// <param name="WindowEnd">The last day covered.</param>
/// <param name="BreakdownType">all, team, age_group, change, outcome or role; the parts of a type add up to all.</param>
/// <param name="BreakdownValue">all, or the part, e.g. North.</param>
/// <param name="Numerator">The published (rounded) numerator, or null.</param>
/// <param name="Denominator">The published (rounded) denominator, or null.</param>
/// <param name="Value">The value worked out from the published numbers, or null.</param>
/// <param name="Marker">"", [c], [u], [x], [z] or [low].</param>
public sealed record PublishedKpiValue(
    string MeasureKey,
    string Indicator,
    string Measure,
    string Unit,
    string Cohort,
    string Quarter,
    DateOnly QuarterStart,
    DateOnly QuarterEnd,
    int QuartersSinceFsStart,
    string Period,
    string Window,
    DateOnly WindowStart,
    DateOnly WindowEnd,
    string BreakdownType,
    string BreakdownValue,
    long? Numerator,
    long? Denominator,
    double? Value,
    string Marker);

/// <summary>One row of the published cohorts table.</summary>
public sealed record PublishedCohort(string Cohort, DateOnly WindowStart, DateOnly WindowEnd, string FirstQuarter, long? Families, long? Children, long? Adults, string Marker);

/// <summary>The disclosure-controlled tables of one run.</summary>
/// <param name="Values">kpi_values rows in computed order.</param>
/// <param name="Cohorts">cohorts rows.</param>
/// <param name="SuppressedCells">How many count cells were suppressed (primary, secondary or for rounding).</param>
public sealed record KpiPublication(
    IReadOnlyList<PublishedKpiValue> Values,
    IReadOnlyList<PublishedCohort> Cohorts,
    int SuppressedCells)
{
    /// <summary>kpi_values rows per marker (the empty marker for a plain value).</summary>
    public IReadOnlyDictionary<string, int> Markers => Values.GroupBy(v => v.Marker).OrderBy(g => g.Key, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
}

/// <summary>
/// Applies disclosure control to computed KPIs. Each indicator is published under the strictest of the profiles its source
/// feeds' agreements name; one disclosure table per profile holds every count that profile publishes with its breakdown
/// margins, and a cell that appears under several profiles (a cohort population) takes the most protective decision, so one
/// quantity gets one decision wherever it is published. Every value is worked out from the published, rounded numbers, so no
/// combination of value, numerator and denominator gives back an exact count.
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

    /// <summary>The profile the cohorts table is published under: the cohort feed's.</summary>
    public DisclosureProfile CohortProfile => _feedProfiles.TryGetValue("csc-people", out var csc) ? csc : _fallback;

    /// <summary>Suppresses, rounds and assembles the published rows.</summary>
    public KpiPublication Publish(KpiResults results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var groups = new SortedDictionary<string, (DisclosureProfile Profile, HashSet<string> Cells, List<RateCell> Rates)>(StringComparer.Ordinal);
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
            if (row.WindowOpen)
            {
                continue;
            }

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

        var cohortGroup = GroupOf(CohortProfile);
        foreach (var summary in results.Cohorts)
        {
            cohortGroup.Cells.UnionWith([summary.Families.Id, summary.Children.Id, summary.Adults.Id]);
        }

        var cellsById = results.Cells.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var counts = new Dictionary<string, PublishedCount>(StringComparer.Ordinal);
        var rates = new Dictionary<string, PublishedRate>(StringComparer.Ordinal);
        foreach (var (profile, cellIds, rateCells) in groups.Values)
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
            var withheld = result.Unprotected.Select(id => QuantityKey(cellsById[id])).ToHashSet(StringComparer.Ordinal);
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

        var cohorts = results.Cohorts.ToDictionary(c => c.Definition.Name, c => c.Definition, StringComparer.Ordinal);
        var values = results.Rows.Select(r => new PublishedRow(r, cohorts[r.Cohort], ProfileFor(r.Measure)).Assemble(counts, rates)).ToArray();
        var published = results.Cohorts.Select(s =>
        {
            var f = counts[s.Families.Id];
            var c = counts[s.Children.Id];
            var a = counts[s.Adults.Id];
            var marker = new[] { f, c, a }.Select(x => x.Marker).FirstOrDefault(m => m != DisclosureMarker.None);
            return new PublishedCohort(s.Definition.Name, s.Definition.WindowStart, s.Definition.WindowEnd, s.Definition.FirstQuarter.ToString(),
                f.Value, c.Value, a.Value, marker.ToText());
        }).ToArray();
        var suppressed = counts.Values.Count(c => c.Reason is SuppressionReason.Primary or SuppressionReason.Secondary or SuppressionReason.Rounding);
        return new KpiPublication(values, published, suppressed);
    }

    internal static string RowId(KpiRow row) => string.Join('|', row.Cohort, row.Quarter, row.Measure.Key, row.Breakdown);

    private static string QuantityKey(KpiCell cell) => string.Join('|', cell.Cohort, cell.Quarter ?? "*", cell.Quantity);

    private static PublishedCount MoreProtective(PublishedCount a, PublishedCount b) =>
        a.Value is null ? a : b.Value is null ? b : a;
}
