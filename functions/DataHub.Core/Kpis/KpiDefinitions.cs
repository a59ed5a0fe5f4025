namespace DataHub.Core.Kpis;

/// <summary>Whether a quantity counts units (people, plans, incidents: disclosure-controlled) or sums a magnitude (days, sessions).</summary>
public enum QuantityKind
{
    /// <summary>A count of people or events: a disclosure cell.</summary>
    Count,

    /// <summary>A sum of days or sessions: published only where its guard count is published.</summary>
    Sum,
}

/// <summary>How a quantity is broken down in the published tables.</summary>
public enum BreakdownDimension
{
    /// <summary>By the FS team of the person's family (R13).</summary>
    Team,

    /// <summary>By age group (child/adult), as the health aggregates come.</summary>
    AgeGroup,
}

/// <summary>One quantity an indicator computes per cohort (and quarter, unless it is a population).</summary>
/// <param name="Id">Stable id, e.g. <c>KPI19.people_flagged</c>; the same quantity in two measures shares its id and its disclosure decision.</param>
/// <param name="Kind">Count or sum.</param>
/// <param name="Dimension">The breakdown its parts come in.</param>
/// <param name="PerCohort">True for populations that do not change from quarter to quarter (one disclosure cell per cohort).</param>
/// <param name="Categories">The parts of a second dimension, e.g. <c>change:improved</c>, <c>change:unchanged</c>, <c>change:declined</c>,
/// which also add up to <c>all</c>; null when there is none.</param>
public sealed record QuantityDefinition(
    string Id,
    QuantityKind Kind,
    BreakdownDimension Dimension = BreakdownDimension.Team,
    bool PerCohort = false,
    IReadOnlyList<string>? Categories = null);

/// <summary>What a published value is.</summary>
public enum MeasureUnit
{
    /// <summary>A count: value = numerator.</summary>
    Count,

    /// <summary>A proportion 0–1 of two counts: value = numerator / denominator.</summary>
    Proportion,

    /// <summary>An average duration in days: value = total days / number of plans or periods.</summary>
    AverageDays,

    /// <summary>A proportion 0–1 of summed sessions: value = numerator sessions / possible sessions.</summary>
    SessionRate,

    /// <summary>A change between two counts: value = numerator (after) − denominator (before).</summary>
    Change,
}

/// <summary>Which way a measure moving is good news.</summary>
public enum BetterDirection
{
    /// <summary>Lower is better.</summary>
    Lower,

    /// <summary>Higher is better.</summary>
    Higher,

    /// <summary>Context only (e.g. a denominator or a count of starts).</summary>
    Neither,
}

/// <summary>One published measure of an indicator, as it appears in kpi_values and kpi_definitions.</summary>
/// <param name="Indicator">E.g. <c>KPI07</c>.</param>
/// <param name="Measure">E.g. <c>unauthorised_absence_rate</c>.</param>
/// <param name="Unit">What the value is.</param>
/// <param name="Numerator">The numerator quantity id.</param>
/// <param name="Denominator">The denominator quantity id, where the unit has one.</param>
/// <param name="Guard">A count quantity that must be publishable for this measure to be (e.g. pupils behind a session rate).</param>
/// <param name="Title">Short title in our own words.</param>
/// <param name="Description">What is counted and how, citing the toolkit's codes.</param>
/// <param name="ToolkitCodes">The toolkit's field codes this implements, e.g. <c>I15 I17 I18</c>.</param>
/// <param name="SourceFeed">The feed(s) it comes from.</param>
/// <param name="Better">Which direction is better.</param>
public sealed record MeasureDefinition(
    string Indicator,
    string Measure,
    MeasureUnit Unit,
    string Numerator,
    string? Denominator,
    string? Guard,
    string Title,
    string Description,
    string ToolkitCodes,
    string SourceFeed,
    BetterDirection Better);

/// <summary>One indicator of the toolkit: its quantities and measures, and how to compute them for a cohort and quarter.</summary>
public interface IKpiIndicator
{
    /// <summary>E.g. <c>KPI01</c>.</summary>
    string Code { get; }

    /// <summary>The quantities <see cref="Compute"/> adds to.</summary>
    IReadOnlyList<QuantityDefinition> Quantities { get; }

    /// <summary>The published measures.</summary>
    IReadOnlyList<MeasureDefinition> Measures { get; }

    /// <summary>Adds each cohort member's contribution to the indicator's quantities for the context's quarter.</summary>
    void Compute(QuarterContext context);
}
