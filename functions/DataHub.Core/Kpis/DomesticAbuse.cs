namespace DataHub.Core.Kpis;

/// <summary>The domestic abuse counting rules shared by indicators 17 and 19 (docs/kpi-definitions.md).</summary>
public static class DomesticAbuse
{
    /// <summary>An incident counts for a person when they are a party to it: victim or perpetrator.</summary>
    public static bool IsParty(LinkedIncident incident) => incident.Role is IncidentRole.Victim or IncidentRole.Perpetrator;

    /// <summary>Repeats in a window: incidents minus one (the first is not a repeat), never below zero.</summary>
    public static int Repeats(int incidents) => Math.Max(0, incidents - 1);
}
