namespace DataHub.Core.Kpis;

/// <summary>
/// A distinct person in a cohort, counted once at cohort level. Where the person is in several of the cohort's families,
/// the family with the earliest FS start (then the lowest family key) decides their FS start and team; the flags are
/// true when any of their allocations in the cohort says so.
/// </summary>
/// <param name="Person">Index in <see cref="KpiInputs.People"/>.</param>
/// <param name="FamilyKey">The deciding family.</param>
/// <param name="FsStart">That family's FS start date (R03): the person's baseline and "after" windows are measured from it.</param>
/// <param name="Team">The deciding family's FS team (R13), the team breakdown.</param>
/// <param name="IsChild">Under 18 on <paramref name="FsStart"/>.</param>
/// <param name="Uasc">Unaccompanied asylum-seeking child.</param>
/// <param name="Cwd">Open to the children-with-disabilities team.</param>
/// <param name="WorkedWith">An adult being worked with through FS.</param>
/// <param name="FamilyKeys">Every family of the cohort the person is in: family-level figures count them in each.</param>
public sealed record CohortMember(
    int Person,
    string FamilyKey,
    DateOnly FsStart,
    string Team,
    bool IsChild,
    bool Uasc,
    bool Cwd,
    bool WorkedWith,
    IReadOnlyList<string> FamilyKeys)
{
    /// <summary>The team breakdown label, e.g. <c>team:North</c>.</summary>
    public string TeamBreakdown { get; } = Breakdown.Team(Team);
}
