namespace DataHub.Core.Kpis;

/// <summary>Indicator 12: reduction in substance use, from days of use on the initial and latest TOPS forms.</summary>
public sealed class Indicator12SubstanceUseReduction : IKpiIndicator
{
    /// <inheritdoc />
    public string Code => "KPI12";

    /// <inheritdoc />
    public string Title => "Reduction in substance use";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } = [TopsDomains.Quantity("KPI12", TopsDomains.SubstanceUse)];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } = [TopsDomains.Measure("KPI12", TopsDomains.SubstanceUse)];

    /// <inheritdoc />
    public void Compute(QuarterContext context) => TopsDomains.Compute(context, Code, [TopsDomains.SubstanceUse]);
}
