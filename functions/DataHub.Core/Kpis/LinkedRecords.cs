namespace DataHub.Core.Kpis;

// Partner records after linkage: the cohort person's index instead of tokens, and only the fields the
// indicators use. Small structs so a county-scale year of attendance fits in a few tens of megabytes.

/// <summary>A person of the cohort feed (csc-people), identified by their index in <see cref="KpiInputs.People"/>.</summary>
/// <param name="Index">The person's position in <see cref="KpiInputs.People"/>.</param>
/// <param name="Keys">The person's linkage tokens (secure zone only).</param>
/// <param name="BirthYear">Year of birth.</param>
/// <param name="BirthMonth">Month of birth, 1–12.</param>
public sealed record CohortPerson(int Index, PersonKeys Keys, int BirthYear, int BirthMonth);

/// <summary>One person's place in one FS family (a csc-people row), by person index.</summary>
public sealed record FamilyAllocation(
    int Person,
    string FamilyKey,
    DateOnly FsStartDate,
    DateOnly? FsEndDate,
    string Team,
    bool Uasc,
    bool Cwd,
    bool WorkedWith);

/// <summary>A child protection plan or a period of care, linked to a person.</summary>
public readonly record struct LinkedSpell(int Person, DateOnly Start, DateOnly? End);

/// <summary>A person's part in a domestic abuse incident.</summary>
/// <param name="Person">The cohort person.</param>
/// <param name="Incident">The incident, numbered by the linker (the same incident id is the same number for every party), so an
/// incident with two cohort people is counted once.</param>
/// <param name="Date">The incident date.</param>
/// <param name="Role">The person's role in it.</param>
/// <param name="MaracReferral">The incident was referred to MARAC.</param>
public readonly record struct LinkedIncident(int Person, int Incident, DateOnly Date, IncidentRole Role, bool MaracReferral);

/// <summary>The role a person played in an incident or on a programme.</summary>
public enum IncidentRole : byte
{
    /// <summary>Neither victim nor perpetrator (e.g. a witness): not a party for the KPIs.</summary>
    Other,

    /// <summary>Victim.</summary>
    Victim,

    /// <summary>Perpetrator.</summary>
    Perpetrator,
}

/// <summary>A substance misuse triage or treatment episode.</summary>
public readonly record struct LinkedEpisode(
    int Person,
    DateOnly AssessmentDate,
    bool AssessedNoEngagement,
    DateOnly? TreatmentStart,
    DateOnly? Closure,
    string? ClosureReason);

/// <summary>Where an assessment sits in a treatment or intervention episode: TOPS start/review/exit, mental health initial/interim/end.</summary>
public enum AssessmentStage : byte
{
    /// <summary>The assessment that opens an episode (TOPS start, mental health initial).</summary>
    Opening,

    /// <summary>An assessment during the episode (TOPS review, mental health interim).</summary>
    Review,

    /// <summary>The assessment that closes the episode (TOPS exit, mental health end).</summary>
    Closing,
}

/// <summary>The order assessments of one day are read in, so a person's series has one order whatever order the partner sent them.</summary>
public static class AssessmentStages
{
    /// <summary>Closing, then opening, then review: an exit closes the earlier episode before a start on the same day opens the next.</summary>
    public static int SameDayOrder(AssessmentStage stage) => stage switch
    {
        AssessmentStage.Closing => 0,
        AssessmentStage.Opening => 1,
        _ => 2,
    };
}

/// <summary>A TOPS form's stage and five scores.</summary>
public readonly record struct LinkedTopsForm(
    int Person,
    DateOnly FormDate,
    AssessmentStage Stage,
    int SubstanceUseDays,
    int PsychologicalWellbeing,
    int PhysicalHealth,
    int QualityOfLife,
    int PaidWorkDays);

/// <summary>One attendance period's sessions at one school (numbered by the linker).</summary>
public readonly record struct LinkedAttendance(int Person, int School, DateOnly PeriodStart, DateOnly PeriodEnd, int Possible, int Authorised, int Unauthorised);

/// <summary>A domestic abuse intervention programme, attended as victim or as perpetrator.</summary>
public readonly record struct LinkedProgramme(int Person, DateOnly Start, DateOnly? End, bool Completed, bool Perpetrator);

/// <summary>A depression (PHQ9) or anxiety (GAD7) score and its stage.</summary>
public readonly record struct LinkedScore(int Person, string Instrument, AssessmentStage Stage, DateOnly Date, int Score);
