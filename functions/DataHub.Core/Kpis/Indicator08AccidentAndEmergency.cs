namespace DataHub.Core.Kpis;

/// <summary>Indicator 8: A&amp;E attendances of cohort children and adults, from the ICB/CCG's aggregate return.</summary>
public sealed class Indicator08AccidentAndEmergency : IKpiIndicator
{
    /// <inheritdoc />
    public string Code => "KPI08";

    /// <inheritdoc />
    public string Title => "A&E attendances";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } = HealthAggregateIndicator.QuantitiesFor("KPI08");

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } = HealthAggregateIndicator.MeasuresFor("KPI08", "ae_attendances", "A&E attendance");

    /// <inheritdoc />
    public void Compute(QuarterContext context) => HealthAggregateIndicator.Compute(context, Code, "ae_attendances");
}
