namespace DataHub.Core.Kpis;

/// <summary>The populations each cohort's indicators are measured over: families, children, adults, and the in-scope groups.</summary>
public static class CohortPopulations
{
    /// <summary>Families whose FS start falls in the window (R01, R03).</summary>
    public const string Families = "cohort.families";

    /// <summary>Distinct people under 18 on their family's FS start date.</summary>
    public const string Children = "cohort.children";

    /// <summary>Distinct people 18 or over on their family's FS start date.</summary>
    public const string Adults = "cohort.adults";

    /// <summary>Children in scope of the CP indicators: CWD left out when the switch is on.</summary>
    public const string ChildrenCpScope = "cohort.children_cp_scope";

    /// <summary>Children in scope of the CLA indicators: UASC always, CWD when the switch is on, left out.</summary>
    public const string ChildrenClaScope = "cohort.children_cla_scope";

    /// <summary>Adults flagged as being worked with through FS.</summary>
    public const string AdultsWorkedWith = "cohort.adults_worked_with";

    /// <summary>The population quantities: counted once per cohort, not per quarter.</summary>
    public static IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Families, QuantityKind.Count, PerCohort: true),
        new(Children, QuantityKind.Count, PerCohort: true),
        new(Adults, QuantityKind.Count, PerCohort: true),
        new(ChildrenCpScope, QuantityKind.Count, PerCohort: true),
        new(ChildrenClaScope, QuantityKind.Count, PerCohort: true),
        new(AdultsWorkedWith, QuantityKind.Count, PerCohort: true),
    ];

    /// <summary>True when a child is in scope of the CP indicators (1, 2, 3).</summary>
    public static bool InCpScope(CohortMember member, KpiOptions options) =>
        member.IsChild && !(options.ExcludeChildrenWithDisabilities && member.Cwd);

    /// <summary>True when a child is in scope of the CLA indicators (5, 6): never UASC.</summary>
    public static bool InClaScope(CohortMember member, KpiOptions options) => InCpScope(member, options) && !member.Uasc;

    /// <summary>True for an adult being worked with (indicators 17 and 19).</summary>
    public static bool IsAdultWorkedWith(CohortMember member) => !member.IsChild && member.WorkedWith;

    /// <summary>Counts the populations of the context's cohort.</summary>
    internal static void Compute(QuarterContext context, IReadOnlyList<FamilyAllocation> cohortAllocations)
    {
        foreach (var member in context.Members)
        {
            context.Count(Children, member, member.IsChild);
            context.Count(Adults, member, !member.IsChild);
            context.Count(ChildrenCpScope, member, InCpScope(member, context.Options));
            context.Count(ChildrenClaScope, member, InClaScope(member, context.Options));
            context.Count(AdultsWorkedWith, member, IsAdultWorkedWith(member));
        }

        // A family's team is its earliest allocation's (then the lowest team name), so each family is in exactly one part.
        foreach (var family in cohortAllocations
            .OrderBy(a => a.FamilyKey, StringComparer.Ordinal).ThenBy(a => a.FsStartDate).ThenBy(a => a.Team, StringComparer.Ordinal)
            .GroupBy(a => a.FamilyKey, StringComparer.Ordinal))
        {
            context.AddAggregate(Families, Breakdown.Team(family.First().Team), 1);
        }
    }
}
