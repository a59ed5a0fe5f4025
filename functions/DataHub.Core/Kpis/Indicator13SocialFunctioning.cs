namespace DataHub.Core.Kpis;

/// <summary>Indicator 13: social functioning from TOPS: psychological wellbeing, physical health, paid work and quality of life.</summary>
public sealed class Indicator13SocialFunctioning : IKpiIndicator
{
    /// <inheritdoc />
    public string Code => "KPI13";

    /// <inheritdoc />
    public string Title => "Social functioning (TOPS)";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } = TopsDomains.SocialFunctioning.Select(d => TopsDomains.Quantity("KPI13", d)).ToArray();

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } = TopsDomains.SocialFunctioning.Select(d => TopsDomains.Measure("KPI13", d)).ToArray();

    /// <inheritdoc />
    public void Compute(QuarterContext context) => TopsDomains.Compute(context, Code, TopsDomains.SocialFunctioning);
}
