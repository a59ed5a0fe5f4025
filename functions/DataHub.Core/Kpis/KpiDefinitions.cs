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

/// <summary>One quantity an indicator computes per cohort (and quarter, unless it is a population or a fixed window).</summary>
/// <param name="Id">Stable id, e.g. <c>KPI19.people_flagged</c>; the same quantity in two measures shares its id and its disclosure decision.</param>
/// <param name="Kind">Count or sum.</param>
/// <param name="Dimension">The breakdown its parts come in.</param>
/// <param name="PerCohort">True for quantities that do not change from quarter to quarter (populations, the 12 months before
/// and after FS start): one disclosure cell per cohort, computed by <see cref="IKpiIndicator.ComputeWindows"/>.</param>
/// <param name="Categories">The parts of a second dimension, e.g. <c>change:improved</c>, <c>change:unchanged</c>, <c>change:declined</c>,
/// which also add up to <c>all</c>; null when there is none.</param>
/// <param name="Feed">The partner feed it is computed from; null for the cohort feed's populations. Without a delivery of
/// this feed covering every day of <paramref name="Reads"/>, the quantity is not available.</param>
/// <param name="Reads">Which days of the feed it reads for a cohort and quarter.</param>
/// <param name="SumOf">Other quantities that add up to this one in every breakdown, e.g. plans active in a quarter = plans
/// closed in it + plans open at its end: a sum a reader can form across measures, so disclosure control treats it as a margin.</param>
public sealed record QuantityDefinition(
    string Id,
    QuantityKind Kind,
    BreakdownDimension Dimension = BreakdownDimension.Team,
    bool PerCohort = false,
    IReadOnlyList<string>? Categories = null,
    string? Feed = null,
    KpiWindow Reads = KpiWindow.Quarter,
    IReadOnlyList<string>? SumOf = null);

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
/// <remarks><see cref="Window"/> says which days a value covers; <see cref="Baseline"/> adds the four quarters before the
/// cohort's first quarter, for measures the toolkit compares with the year before FS start.</remarks>
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
    BetterDirection Better)
{
    /// <summary>Which days a value covers; a measure whose window has not closed by a quarter's end is <c>[z]</c> in that quarter.</summary>
    public KpiWindow Window { get; init; } = KpiWindow.Quarter;

    /// <summary>Also published for the four quarters before the cohort's first quarter (the baseline year).</summary>
    public bool Baseline { get; init; }

    /// <summary>The key joining kpi_values to kpi_definitions, e.g. <c>KPI07.unauthorised_absence_rate</c>.</summary>
    public string Key => Indicator + "." + Measure;
}

/// <summary>One indicator of the toolkit: its quantities and measures, and how to compute them for a cohort and quarter.</summary>
public interface IKpiIndicator
{
    /// <summary>Adds each cohort member's contribution to the indicator's per-cohort quantities (the fixed windows before and
    /// after FS start); called once per cohort, with the context of its first quarter.</summary>
    void ComputeWindows(QuarterContext context)
    {
    }

    /// <summary>E.g. <c>KPI01</c>.</summary>
    string Code { get; }

    /// <summary>What the indicator is about, in a few words for the board, e.g. "Domestic abuse incidents" (each measure has its own title).</summary>
    string Title { get; }

    /// <summary>The quantities <see cref="Compute"/> adds to.</summary>
    IReadOnlyList<QuantityDefinition> Quantities { get; }

    /// <summary>The published measures.</summary>
    IReadOnlyList<MeasureDefinition> Measures { get; }

    /// <summary>Adds each cohort member's contribution to the indicator's quantities for the context's quarter.</summary>
    void Compute(QuarterContext context);
}

/// <summary>The published names of units and directions.</summary>
public static class MeasureTexts
{
    /// <summary>count, proportion, average_days, session_rate or change.</summary>
    public static string ToText(this MeasureUnit unit) => unit switch
    {
        MeasureUnit.Count => "count",
        MeasureUnit.Proportion => "proportion",
        MeasureUnit.AverageDays => "average_days",
        MeasureUnit.SessionRate => "session_rate",
        _ => "change",
    };

    /// <summary>lower, higher or neither.</summary>
    public static string ToText(this BetterDirection better) => better switch
    {
        BetterDirection.Lower => "lower",
        BetterDirection.Higher => "higher",
        _ => "neither",
    };
}
