namespace DataHub.Core.Kpis;

/// <summary>Indicator 9: emergency hospital admissions of cohort children and adults, from the ICB/CCG's aggregate return.</summary>
public sealed class Indicator09EmergencyAdmissions : IKpiIndicator
{
    /// <inheritdoc />
    public string Code => "KPI09";

    /// <inheritdoc />
    public string Title => "Emergency hospital admissions";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } = HealthAggregateIndicator.QuantitiesFor("KPI09");

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } = HealthAggregateIndicator.MeasuresFor("KPI09", "emergency_admissions", "emergency admission");

    /// <inheritdoc />
    public void Compute(QuarterContext context) => HealthAggregateIndicator.Compute(context, Code, "emergency_admissions");
}
