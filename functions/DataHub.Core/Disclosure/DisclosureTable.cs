namespace DataHub.Core.Disclosure;

/// <summary>One count to publish. The same id anywhere means the same quantity and gets one decision.</summary>
/// <param name="Id">A stable id (e.g. "2018Q1|KPI01|children|all|n"); cells are processed in ordinal id order.</param>
/// <param name="Count">The true count; null when the hub has no figure (published as <c>[x]</c>).</param>
/// <param name="NotApplicable">The cell cannot exist (published as <c>[z]</c>); its count must be null.</param>
/// <param name="Labels">Optional descriptive fields carried through to the result unchanged.</param>
/// <param name="Public">A reader knows this count exactly from elsewhere (another published table shows it): it is shown exactly,
/// never withheld, and the counts beside it are protected knowing it.</param>
/// <param name="Hidden">A count no table shows but a reader can reason about, such as what an inequality between published counts
/// leaves over (a feed's records without a key: all records minus the key's). A reader knows only that it is ≥ 0; it is never
/// published, needs no protection, and takes part in the margins so that the counts around it are protected.</param>
public sealed record CountCell(
    string Id,
    long? Count,
    bool NotApplicable = false,
    IReadOnlyDictionary<string, string>? Labels = null,
    bool Public = false,
    bool Hidden = false);

/// <summary>An additive margin that the published tables let a reader check: total = sum of parts. An inequality is a margin with
/// a <see cref="CountCell.Hidden"/> part for what is left over.</summary>
/// <param name="TotalId">The id of the total cell.</param>
/// <param name="PartIds">The ids of the parts (each at most once, never the total).</param>
public sealed record Margin(string TotalId, IReadOnlyList<string> PartIds);

/// <summary>A rate (or average) published from two counts of the table.</summary>
/// <param name="Id">A stable id for the rate.</param>
/// <param name="NumeratorId">The id of the numerator count cell.</param>
/// <param name="DenominatorId">The id of the denominator count cell.</param>
public sealed record RateCell(string Id, string NumeratorId, string DenominatorId);

/// <summary>Everything one output publishes that disclosure control must consider together.</summary>
/// <param name="Cells">The counts (a repeated id must repeat the same count).</param>
/// <param name="Margins">Every margin a reader can form from the published output: breakdown totals, totals across quarters.</param>
/// <param name="Rates">The rates published from those counts.</param>
public sealed record DisclosureTable(
    IReadOnlyList<CountCell> Cells,
    IReadOnlyList<Margin> Margins,
    IReadOnlyList<RateCell> Rates);
