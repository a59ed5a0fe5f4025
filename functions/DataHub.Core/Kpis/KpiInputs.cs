namespace DataHub.Core.Kpis;

/// <summary>Everything the indicators read: the cohort feed's people and families, and each partner feed's linked records.</summary>
public sealed class KpiInputs
{
    /// <summary>Bundles linked records; each list is grouped by person and sorted by date here, once.</summary>
    public KpiInputs(
        IReadOnlyList<CohortPerson> people,
        IReadOnlyList<FamilyAllocation> allocations,
        IEnumerable<LinkedSpell>? cpPlans = null,
        IEnumerable<LinkedSpell>? claPeriods = null,
        IEnumerable<LinkedIncident>? incidents = null,
        IEnumerable<LinkedEpisode>? episodes = null,
        IEnumerable<LinkedTopsForm>? topsForms = null,
        IEnumerable<LinkedAttendance>? attendance = null,
        IEnumerable<LinkedProgramme>? programmes = null,
        IEnumerable<LinkedScore>? scores = null,
        IReadOnlyList<HealthAggregateRow>? health = null)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(allocations);
        People = people;
        Allocations = allocations;
        var n = people.Count;
        CpPlans = PersonSeries<LinkedSpell>.Sorted(cpPlans ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person) : a.Start.CompareTo(b.Start));
        ClaPeriods = PersonSeries<LinkedSpell>.Sorted(claPeriods ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person) : a.Start.CompareTo(b.Start));
        Incidents = PersonSeries<LinkedIncident>.Sorted(incidents ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person)
            : a.Date != b.Date ? a.Date.CompareTo(b.Date) : a.Incident.CompareTo(b.Incident));
        Episodes = PersonSeries<LinkedEpisode>.Sorted(episodes ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person) : a.AssessmentDate.CompareTo(b.AssessmentDate));
        TopsForms = PersonSeries<LinkedTopsForm>.Sorted(topsForms ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person)
            : a.FormDate != b.FormDate ? a.FormDate.CompareTo(b.FormDate) : AssessmentStages.SameDayOrder(a.Stage).CompareTo(AssessmentStages.SameDayOrder(b.Stage)));
        Attendance = PersonSeries<LinkedAttendance>.Sorted(attendance ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person)
            : a.PeriodEnd != b.PeriodEnd ? a.PeriodEnd.CompareTo(b.PeriodEnd) : a.School.CompareTo(b.School));
        Programmes = PersonSeries<LinkedProgramme>.Sorted(programmes ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person) : a.Start.CompareTo(b.Start));
        Scores = PersonSeries<LinkedScore>.Sorted(scores ?? [], n, r => r.Person, (a, b) => a.Person != b.Person ? a.Person.CompareTo(b.Person)
            : a.Date != b.Date ? a.Date.CompareTo(b.Date) : AssessmentStages.SameDayOrder(a.Stage).CompareTo(AssessmentStages.SameDayOrder(b.Stage)));
        Health = health ?? [];
    }

    /// <summary>The cohort feed's people; a person's index is their position here.</summary>
    public IReadOnlyList<CohortPerson> People { get; }

    /// <summary>Every csc-people row: a person in an FS family.</summary>
    public IReadOnlyList<FamilyAllocation> Allocations { get; }

    /// <summary>Child protection plans (csc-cp-plans).</summary>
    public PersonSeries<LinkedSpell> CpPlans { get; }

    /// <summary>Periods of care (csc-cla-periods).</summary>
    public PersonSeries<LinkedSpell> ClaPeriods { get; }

    /// <summary>Domestic abuse incidents (police-da-incidents).</summary>
    public PersonSeries<LinkedIncident> Incidents { get; }

    /// <summary>Substance misuse episodes.</summary>
    public PersonSeries<LinkedEpisode> Episodes { get; }

    /// <summary>TOPS forms.</summary>
    public PersonSeries<LinkedTopsForm> TopsForms { get; }

    /// <summary>School attendance periods.</summary>
    public PersonSeries<LinkedAttendance> Attendance { get; }

    /// <summary>Domestic abuse intervention programmes.</summary>
    public PersonSeries<LinkedProgramme> Programmes { get; }

    /// <summary>Mental health scores (PHQ9, GAD7).</summary>
    public PersonSeries<LinkedScore> Scores { get; }

    /// <summary>The ICB/CCG's aggregate rows (no person data).</summary>
    public IReadOnlyList<HealthAggregateRow> Health { get; }
}
