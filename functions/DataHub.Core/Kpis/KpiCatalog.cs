namespace DataHub.Core.Kpis;

/// <summary>
/// The indicators the hub computes. Indicators 4, 14 and 16 are local or internal measures with no feed; indicator 20 (LSIR)
/// has no feed carrying the scores, so it is not computed rather than invented (docs/kpi-definitions.md).
/// </summary>
public static class KpiCatalog
{
    /// <summary>Every computed indicator, in toolkit order.</summary>
    public static IReadOnlyList<IKpiIndicator> Indicators { get; } =
    [
        new Indicator01ChildProtectionPlans(),
        new Indicator02ChildProtectionDuration(),
        new Indicator03RepeatChildProtection(),
        new Indicator05LookedAfterChildren(),
        new Indicator06LookedAfterDuration(),
        new Indicator07SchoolAttendance(),
        new Indicator08AccidentAndEmergency(),
        new Indicator09EmergencyAdmissions(),
        new Indicator10SubstanceMisuseCompletion(),
        new Indicator11SubstanceMisuseEngagement(),
        new Indicator12SubstanceUseReduction(),
        new Indicator13SocialFunctioning(),
        new Indicator15MentalHealthScores(),
        new Indicator17DomesticAbuseIncidents(),
        new Indicator18DaProgrammeCompletion(),
        new Indicator19DomesticAbuseHighRisk(),
    ];
}
