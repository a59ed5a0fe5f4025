namespace DataHub.Core.Kpis;

/// <summary>One computed quantity for one cohort, quarter (null for per-cohort populations) and breakdown, before disclosure control.</summary>
/// <param name="Id">The disclosure cell id: the same quantity published in two places has one id.</param>
/// <param name="Cohort">Cohort name.</param>
/// <param name="Quarter">Quarter label, or null for a per-cohort population.</param>
/// <param name="Quantity">Quantity id, e.g. <c>KPI19.people_flagged</c>.</param>
/// <param name="Breakdown"><c>all</c> or <c>{dimension}:{value}</c>.</param>
/// <param name="Kind">Count (a disclosure cell) or sum.</param>
/// <param name="Value">The exact value (secure until disclosure control has passed it); null when the feed it comes from was not
/// received for the days it reads (published as <c>[x]</c>).</param>
public sealed record KpiCell(string Id, string Cohort, string? Quarter, string Quantity, string Breakdown, QuantityKind Kind, long? Value)
{
    /// <summary>The cell id of a quantity in a cohort, quarter and breakdown.</summary>
    public static string MakeId(string cohort, string? quarter, string quantity, string breakdown) =>
        string.Join('|', cohort, quarter ?? "*", quantity, breakdown);
}

/// <summary>One row of kpi_values before disclosure: a measure for a cohort, quarter and breakdown, pointing at its cells.</summary>
/// <param name="Cohort">The cohort.</param>
/// <param name="Quarter">The quarter label.</param>
/// <param name="Measure">The measure.</param>
/// <param name="Breakdown"><c>all</c> or <c>{dimension}:{value}</c>.</param>
/// <param name="Numerator">The numerator cell.</param>
/// <param name="Denominator">The denominator cell, where the unit has one.</param>
/// <param name="Guard">A count that must be publishable for the value to be.</param>
/// <param name="WindowOpen">The measure's window has not closed by the quarter's end: not applicable yet (<c>[z]</c>).</param>
public sealed record KpiRow(string Cohort, string Quarter, MeasureDefinition Measure, string Breakdown, KpiCell Numerator, KpiCell? Denominator, KpiCell? Guard, bool WindowOpen = false);

/// <summary>An additive margin: the total cell equals the sum of the part cells (one dimension's parts of <c>all</c>).</summary>
public sealed record KpiMargin(string TotalId, IReadOnlyList<string> PartIds);

/// <summary>A person's contribution to a quantity in a cohort and quarter (secure zone only).</summary>
/// <param name="Cohort">Cohort name.</param>
/// <param name="Quarter">Quarter label, or null for a population.</param>
/// <param name="Member">The cohort member.</param>
/// <param name="Quantity">Quantity id.</param>
/// <param name="Value">The contribution.</param>
/// <param name="Record">For counts of distinct records (incidents): the record counted, so a family or cohort counts it once.</param>
public sealed record PersonValue(string Cohort, string? Quarter, CohortMember Member, string Quantity, long Value, long? Record = null);

/// <summary>A cohort's window and the cells of its family, child and adult counts (every quarter's rows count from its first quarter).</summary>
public sealed record CohortSummary(CohortDefinition Definition, KpiCell Families, KpiCell Children, KpiCell Adults);

/// <summary>All indicators for every cohort and quarter asked for, before disclosure control.</summary>
/// <param name="Cells">Every computed quantity cell, in a stable order.</param>
/// <param name="Rows">Every kpi_values row, in a stable order.</param>
/// <param name="Margins">Every additive margin among the count cells.</param>
/// <param name="PersonValues">Per-person contributions (secure zone only).</param>
/// <param name="Cohorts">The cohort summaries.</param>
/// <param name="Quarters">The quarters computed.</param>
public sealed record KpiResults(
    IReadOnlyList<KpiCell> Cells,
    IReadOnlyList<KpiRow> Rows,
    IReadOnlyList<KpiMargin> Margins,
    IReadOnlyList<PersonValue> PersonValues,
    IReadOnlyList<CohortSummary> Cohorts,
    IReadOnlyList<Quarter> Quarters)
{
    /// <summary>The row for a measure, or null; for tests and checks.</summary>
    public KpiRow? Find(string cohort, string quarter, string indicator, string measure, string breakdown = Breakdown.All) =>
        Rows.FirstOrDefault(r => r.Cohort == cohort && r.Quarter == quarter && r.Measure.Indicator == indicator
            && r.Measure.Measure == measure && r.Breakdown == breakdown);
}
