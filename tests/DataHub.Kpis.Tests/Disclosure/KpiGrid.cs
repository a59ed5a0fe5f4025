using DataHub.Core.Disclosure;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>One series cell of a test table before disclosure control: the true numerator and denominator.</summary>
internal sealed record GridEntry(string Cohort, string Quarter, string Indicator, string Measure, string Breakdown, long Numerator, long Denominator);

/// <summary>Builds a kpi_values-shaped test table: the module's input (cell ids, breakdown and quarter-total margins,
/// rates) and, from its result, the published rows the verifier reads — the way the kpis helper maps them.</summary>
internal sealed class KpiGrid
{
    public KpiGrid(IEnumerable<GridEntry> entries, IReadOnlyDictionary<string, IReadOnlyList<string>>? quarterTotals = null, bool shareDenominatorsWithinIndicator = false)
    {
        Entries = [.. entries];
        QuarterTotals = quarterTotals ?? new Dictionary<string, IReadOnlyList<string>>();
        ShareDenominators = shareDenominatorsWithinIndicator;
    }

    public IReadOnlyList<GridEntry> Entries { get; }

    public IReadOnlyDictionary<string, IReadOnlyList<string>> QuarterTotals { get; }

    public bool ShareDenominators { get; }

    public static string NumeratorId(GridEntry e) => NumeratorId(e.Cohort, e.Quarter, e.Indicator, e.Measure, e.Breakdown);

    public string DenominatorId(GridEntry e) => DenominatorId(e.Cohort, e.Quarter, e.Indicator, e.Measure, e.Breakdown);

    public static string RateId(GridEntry e) => $"R|{e.Cohort}|{e.Quarter}|{e.Indicator}|{e.Measure}|{e.Breakdown}";

    public DisclosureTable ToTable()
    {
        var cells = new List<CountCell>();
        var rates = new List<RateCell>();
        foreach (var e in Entries)
        {
            cells.Add(new CountCell(NumeratorId(e), e.Numerator));
            cells.Add(new CountCell(DenominatorId(e), e.Denominator));
            rates.Add(new RateCell(RateId(e), NumeratorId(e), DenominatorId(e)));
        }

        var margins = new List<Margin>();
        foreach (var series in Entries.GroupBy(e => (e.Cohort, e.Quarter, e.Indicator, e.Measure)))
        {
            if (!series.Any(e => e.Breakdown == "all"))
            {
                continue;
            }

            var (c, q, i, m) = series.Key;
            foreach (var dimension in series.Where(e => e.Breakdown != "all").GroupBy(e => e.Breakdown.Split(':')[0]))
            {
                margins.Add(new Margin(NumeratorId(c, q, i, m, "all"), [.. dimension.Select(e => NumeratorId(e))]));
                margins.Add(new Margin(DenominatorId(c, q, i, m, "all"), [.. dimension.Select(DenominatorId)]));
            }
        }

        foreach (var total in Entries.Where(e => QuarterTotals.ContainsKey(e.Quarter)))
        {
            var parts = QuarterTotals[total.Quarter];
            margins.Add(new Margin(NumeratorId(total), [.. parts.Select(q => NumeratorId(total.Cohort, q, total.Indicator, total.Measure, total.Breakdown))]));
            margins.Add(new Margin(DenominatorId(total), [.. parts.Select(q => DenominatorId(total.Cohort, q, total.Indicator, total.Measure, total.Breakdown))]));
        }

        return new DisclosureTable(cells, margins, rates);
    }

    public List<KpiValueRow> Publish(DisclosureResult result) =>
        [.. Entries.Select(e =>
        {
            var n = result.Count(NumeratorId(e));
            var d = result.Count(DenominatorId(e));
            var rate = result.Rate(RateId(e));
            var marker = n.Marker == DisclosureMarker.Confidential || d.Marker == DisclosureMarker.Confidential
                ? DisclosureMarker.Confidential
                : rate.Marker;
            return new KpiValueRow(e.Cohort, e.Quarter, e.Indicator, e.Measure, e.Breakdown, n.Value, d.Value, rate.Value, marker.ToText());
        })];

    /// <summary>The rows as primary suppression alone would publish them (no secondary suppression).</summary>
    public List<KpiValueRow> PublishPrimaryOnly(DisclosureProfile profile) =>
        [.. Entries.Select(e =>
        {
            var nSmall = profile.IsSmall(e.Numerator);
            var dSmall = profile.IsSmall(e.Denominator);
            return new KpiValueRow(e.Cohort, e.Quarter, e.Indicator, e.Measure, e.Breakdown,
                nSmall ? null : e.Numerator, dSmall ? null : e.Denominator,
                nSmall || dSmall ? null : (double)e.Numerator / e.Denominator, nSmall || dSmall ? "[c]" : "");
        })];

    /// <summary>What a reader knows; with <paramref name="rounded"/>, that counts are rounded and rates come from the rounded counts.</summary>
    public RecoveryOptions VerifierOptions(DisclosureProfile? rounded = null) => new(
        DenominatorQuantity: r => DenominatorId(r.Cohort, r.Quarter, r.Indicator, r.Measure, r.Breakdown),
        QuarterTotals: QuarterTotals,
        Publication: rounded is null ? null : _ => new RowPublication("proportion", true, true, rounded.Threshold, rounded.SuppressZeros, rounded.RoundingBase));

    private static string NumeratorId(string c, string q, string i, string m, string b) => $"N|{c}|{q}|{i}|{m}|{b}";

    private string DenominatorId(string c, string q, string i, string m, string b) =>
        ShareDenominators ? $"D|{c}|{q}|{i}|{b}" : $"D|{c}|{q}|{i}|{m}|{b}";
}
