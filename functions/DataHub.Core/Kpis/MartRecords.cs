namespace DataHub.Core.Kpis;

// The rows of each feed as the secure marts hold them: linkage tokens instead of identifiers,
// birth year and month instead of a date of birth, and the stored fields with their contract types.

/// <summary>The linkage tokens one mart row carries; a key the row could not make is null.</summary>
/// <param name="Nhs">Token of the NHS number.</param>
/// <param name="Upn">Token of the Unique Pupil Number.</param>
/// <param name="NameDob">Token of surname, first forename and date of birth.</param>
/// <param name="Attributor">Token of initials, date of birth and sex.</param>
/// <param name="Local">Token of the partner's own person id, namespaced by partner.</param>
public sealed record PersonKeys(string? Nhs = null, string? Upn = null, string? NameDob = null, string? Attributor = null, string? Local = null);

/// <summary>A csc-people row: one person in one FS family allocation.</summary>
public sealed record CscPersonRow(
    PersonKeys Keys,
    string FamilyKey,
    string? ReferralKey,
    int BirthYear,
    int BirthMonth,
    string Sex,
    string? Relationship,
    DateOnly FsStartDate,
    DateOnly? FsEndDate,
    string FsTeam,
    bool Uasc,
    bool Cwd,
    bool WorkedWith);

/// <summary>A csc-cp-plans row: one child protection plan (toolkit R10–R12).</summary>
public sealed record CpPlanRow(PersonKeys Keys, string PlanKey, DateOnly StartDate, DateOnly? EndDate);

/// <summary>A csc-cla-periods row: one period of care (toolkit R16–R18).</summary>
public sealed record ClaPeriodRow(PersonKeys Keys, string PeriodKey, DateOnly StartDate, DateOnly? EndDate);

/// <summary>A police-da-incidents row: one person's part in one domestic abuse incident.</summary>
public sealed record DaIncidentRow(PersonKeys Keys, string IncidentId, DateOnly IncidentDate, string Role, bool Crime, bool MaracReferral);

/// <summary>A health-aggregates row: already aggregate per quarter, cohort, age group and measure.</summary>
public sealed record HealthAggregateRow(string Quarter, string Cohort, string AgeGroup, string Measure, int CohortPeople, int PeopleWithEvent, int? Events);

/// <summary>A substance-misuse-episodes row: one triage or treatment episode.</summary>
public sealed record SubstanceMisuseEpisodeRow(
    PersonKeys Keys,
    DateOnly AssessmentDate,
    string AssessmentOutcome,
    DateOnly? TreatmentStartDate,
    DateOnly? ClosureDate,
    string? ClosureReason);

/// <summary>A substance-misuse-tops row: one Treatment Outcomes Profile form.</summary>
public sealed record TopsFormRow(
    PersonKeys Keys,
    DateOnly FormDate,
    string Stage,
    int SubstanceUseDays,
    int PsychologicalWellbeing,
    int PhysicalHealth,
    int QualityOfLife,
    int PaidWorkDays);

/// <summary>A school-attendance row: one pupil at one school for one period.</summary>
public sealed record AttendanceRow(
    PersonKeys Keys,
    string SchoolUrn,
    DateOnly PeriodStart,
    DateOnly PeriodEnd,
    int PossibleSessions,
    int AuthorisedAbsenceSessions,
    int UnauthorisedAbsenceSessions);

/// <summary>A da-programmes row: one person on one domestic abuse intervention programme.</summary>
public sealed record DaProgrammeRow(PersonKeys Keys, string Programme, string Role, DateOnly StartDate, DateOnly? EndDate, string Outcome);

/// <summary>A mental-health-scores row: one PHQ9 or GAD7 score.</summary>
public sealed record MentalHealthScoreRow(PersonKeys Keys, string Instrument, string Stage, DateOnly ScoreDate, int Score);
