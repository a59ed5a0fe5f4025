namespace DataHub.Core.Kpis;

/// <summary>The configurable parts of the KPI definitions (docs/kpi-definitions.md).</summary>
public sealed record KpiOptions
{
    private readonly IReadOnlyList<CohortDefinition> _cohorts = CohortDefinition.ToolkitDefaults;

    /// <summary>The cohorts to report; the toolkit's six by default.</summary>
    /// <exception cref="ArgumentException">Two cohorts' names are one label as the ingest reads labels (<c>C-1</c> and <c>C1</c>), or a name is blank.</exception>
    public IReadOnlyList<CohortDefinition> Cohorts
    {
        get => _cohorts;
        init => _cohorts = Distinct(value);
    }

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

    // The ingest matches a sent label to a cohort by its key and the rollup reads stored labels the same way: two cohorts with
    // one key would take each other's rows, silently (the ingest would store every such row under one of the two names).
    private static IReadOnlyList<CohortDefinition> Distinct(IReadOnlyList<CohortDefinition> cohorts)
    {
        ArgumentNullException.ThrowIfNull(cohorts);
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var cohort in cohorts)
        {
            ArgumentNullException.ThrowIfNull(cohort);
            var key = CohortDefinition.LabelKey(cohort.Name);
            if (key.Length == 0)
            {
                throw new ArgumentException("A cohort's name is blank (or only spaces, hyphens and underscores): no label could name it.", nameof(cohorts));
            }

            if (byKey.TryGetValue(key, out var other))
            {
                throw new ArgumentException(
                    $"The cohorts '{other}' and '{cohort.Name}' have names the hub cannot tell apart: labels are compared ignoring case, spaces, hyphens and underscores. Give each cohort a distinct name.",
                    nameof(cohorts));
            }

            byKey[key] = cohort.Name;
        }

        return cohorts;
    }
}
