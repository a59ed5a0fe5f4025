namespace DataHub.Core.Kpis;

/// <summary>The configurable parts of the KPI definitions (docs/kpi-definitions.md).</summary>
public sealed record KpiOptions
{
    /// <summary>The cohorts to report; the toolkit's six by default.</summary>
    public IReadOnlyList<CohortDefinition> Cohorts { get; init; } = CohortDefinition.ToolkitDefaults;

    /// <summary>Leave children open to the children-with-disabilities team out of the CP and CLA indicators (on by default).</summary>
    public bool ExcludeChildrenWithDisabilities { get; init; } = true;

    /// <summary>Closure reasons that count as a successful completion of treatment (default: the NDTMS "treatment completed" reasons).</summary>
    public IReadOnlyList<string> SuccessfulClosureReasons { get; init; } =
        ["treatment_completed_drug_free", "treatment_completed_alcohol_free", "treatment_completed_occasional_user"];

    /// <summary>Closure reasons that mean the person dropped out after engaging (toolkit indicator 11, "post engagement": DNA).</summary>
    public IReadOnlyList<string> DisengagedClosureReasons { get; init; } = ["incomplete_dropped_out", "incomplete_declined"];

    /// <summary>Days after FS start within which a treatment or intervention episode may open and still be the one compared
    /// (indicators 12, 13 and 15); an episode already open on the FS start date is compared whenever it opened.</summary>
    public int EpisodeStartWindowDays { get; init; } = 365;

    /// <summary>The version of these rules, stamped on every run manifest; change it when a definition changes.</summary>
    public string RulesVersion { get; init; } = "kpi-rules-2";
}
