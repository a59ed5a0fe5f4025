using System.Collections.Frozen;
using static DataHub.Core.Feeds.FieldHandling;

namespace DataHub.Core.Feeds;

/// <summary>The ten partner feed contracts, with their canonical field names, types, rules and natural keys.</summary>
public static class FeedCatalog
{
    /// <summary>The values of a sex column (M/F/U).</summary>
    public static IReadOnlyList<string> SexCodes { get; } = ["M", "F", "U"];

    /// <summary>Feed name of the children's social care people extract (the cohort feed).</summary>
    public const string CscPeople = "csc-people";

    /// <summary>Feed name of the child protection plans extract.</summary>
    public const string CscCpPlans = "csc-cp-plans";

    /// <summary>Feed name of the looked-after periods extract.</summary>
    public const string CscClaPeriods = "csc-cla-periods";

    /// <summary>Feed name of the police domestic abuse incidents extract.</summary>
    public const string PoliceDaIncidents = "police-da-incidents";

    /// <summary>Feed name of the ICB/CCG aggregate health extract.</summary>
    public const string HealthAggregates = "health-aggregates";

    /// <summary>Feed name of the substance misuse episodes extract.</summary>
    public const string SubstanceMisuseEpisodes = "substance-misuse-episodes";

    /// <summary>Feed name of the substance misuse TOPS forms extract.</summary>
    public const string SubstanceMisuseTops = "substance-misuse-tops";

    /// <summary>Feed name of the school attendance extract.</summary>
    public const string SchoolAttendance = "school-attendance";

    /// <summary>Feed name of the domestic abuse programmes extract.</summary>
    public const string DaProgrammes = "da-programmes";

    /// <summary>Feed name of the mental health scores extract.</summary>
    public const string MentalHealthScores = "mental-health-scores";

    /// <summary>The children's social care extracts, every row of which is about a cohort person: a count of their rows is a count
    /// about the cohort (the people extract's rows are the cohort sizes added up), so it is never published exactly.</summary>
    public static FrozenSet<string> CohortRecordFeeds { get; } = new[] { CscPeople, CscCpPlans, CscClaPeriods }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Every feed contract, cohort feed first.</summary>
    public static IReadOnlyList<FeedContract> All { get; } =
    [
        new(CscPeople, "Family Safeguarding cohort: children and adults",
        [
            Text("family_key", true, "R01"),
            LocalId("person_id", "D01"),
            Text("referral_key", false, "R02"),
            Nhs(),
            Upn(required: false),
            Name("forename", IdentityPart.Forename),
            Name("surname", IdentityPart.Surname),
            Dob(),
            Sex("D02"),
            Code("ethnicity", true, ReferenceLists.Codes(ReferenceLists.Ethnicity), "D06"),
            Code("relationship", true, ReferenceLists.Codes(ReferenceLists.Relationship), "D07"),
            Date("fs_start_date", true, "R03"),
            Date("fs_end_date", false, "R04"),
            Label("fs_team", true, "R13"),
            Date("referral_start_date", false, "R06"),
            Code("referral_category_of_need", false, ReferenceLists.Codes(ReferenceLists.CategoryOfNeed), "R07"),
            Date("referral_end_date", false, "R08"),
            Int("previous_referrals", false, 0, null, "R09"),
            Bool("uasc", false),
            Bool("cwd", false),
            Bool("worked_with", false),
        ], "fs_start_date", RecordKey: new(["person_id", "family_key"],
            "One person's place in one family. A later delivery's row for the same person and family replaces the earlier one."),
            Coverage: FeedCoverage.Snapshot),
        new(CscCpPlans, "Child protection plans",
        [
            LocalId("person_id", "D01"),
            Text("plan_key", true, "R10"),
            Date("start_date", true, "R11"),
            Date("end_date", false, "R12"),
        ], "start_date", RecordKey: new(["person_id", "plan_key"],
            "One child protection plan. A later delivery of the same plan replaces the earlier row (an end date added, a date corrected)."),
            Coverage: FeedCoverage.Snapshot),
        new(CscClaPeriods, "Periods in care",
        [
            LocalId("person_id", "D01"),
            Text("period_key", true, "R16"),
            Date("start_date", true, "R17"),
            Date("end_date", false, "R18"),
        ], "start_date", RecordKey: new(["person_id", "period_key"],
            "One period of care. A later delivery of the same period replaces the earlier row (an end date added, a date corrected)."),
            Coverage: FeedCoverage.Snapshot),
        new(PoliceDaIncidents, "Domestic abuse incidents",
        [
            Text("incident_id", true),
            Date("incident_date", true),
            Code("role", true, ["victim", "perpetrator", "other"]),
            Name("forename", IdentityPart.Forename),
            Name("surname", IdentityPart.Surname),
            Dob(),
            Sex(),
            Bool("crime", true),
            Bool("marac_referral", true),
        ], "incident_date", RecordKey: new(["incident_id", "person"],
            "One person's part in one incident. A later delivery of the same incident for the same person replaces the earlier row; "
            + "an incident with two people in the cohort is one incident when the cohort's incidents are counted.")),
        new(HealthAggregates, "A&E attendances and emergency admissions, as totals",
        [
            Text("quarter", true),
            Label(CohortLabelField, true),
            Code("age_group", true, ["child", "adult"]),
            Code("measure", true, ["ae_attendances", "emergency_admissions"]),
            Int("cohort_people", true, 0, null),
            Int("people_with_event", true, 0, null),
            Int("events", false, 0, null),
        ], null, PersonLevel: false, RecordKey: new(["quarter", "cohort", "age_group", "measure"],
            "One aggregate figure. A later delivery of the same quarter, cohort, age group and measure replaces the earlier one; "
            + "a quarter and cohort with no row has not been received (never zero).")),
        new(SubstanceMisuseEpisodes, "Substance misuse treatment episodes",
        [
            LocalId("client_id"),
            Name("forename_initial", IdentityPart.ForenameInitial),
            Name("surname_initial", IdentityPart.SurnameInitial),
            Dob(),
            Sex(),
            Nhs(),
            Date("assessment_date", true),
            Code("assessment_outcome", true, ["treatment", "no_engagement", "other"]),
            Date("treatment_start_date", false),
            Date("closure_date", false),
            Code("closure_reason", false, ReferenceLists.Codes(ReferenceLists.ClosureReasons)),
        ], "assessment_date", RecordKey: new(["client_id", "assessment_date"],
            "One triage or treatment episode. A later delivery of the same client's episode from the same assessment date replaces the "
            + "earlier row (a treatment start, closure date or reason added)."),
            Coverage: FeedCoverage.Snapshot),
        new(SubstanceMisuseTops, "Treatment outcomes (TOPS) forms",
        [
            LocalId("client_id"),
            Name("forename_initial", IdentityPart.ForenameInitial),
            Name("surname_initial", IdentityPart.SurnameInitial),
            Dob(),
            Sex(),
            Date("form_date", true),
            Code("stage", true, ["start", "review", "exit"]),
            Int("substance_use_days", true, 0, 28),
            Int("psychological_wellbeing", true, 0, 20),
            Int("physical_health", true, 0, 20),
            Int("quality_of_life", true, 0, 20),
            Int("paid_work_days", true, 0, 20),
        ], "form_date", RecordKey: new(["client_id", "form_date", "stage"],
            "One TOPS form. A later delivery of the same client's form of the same stage and date replaces the earlier row; forms of one "
            + "day are read in the order exit, start, review (an exit closes the earlier episode before a start opens the next).")),
        new(SchoolAttendance, "School attendance",
        [
            Upn(required: true),
            Name("forename", IdentityPart.Forename),
            Name("surname", IdentityPart.Surname),
            Dob(),
            Text("school_urn", true),
            Date("period_start", true),
            Date("period_end", true),
            Int("possible_sessions", true, 0, null),
            Int("authorised_absence_sessions", true, 0, null),
            Int("unauthorised_absence_sessions", true, 0, null),
        ], "period_end", RecordKey: new(["upn", "school_urn", "period_start", "period_end"],
            "One pupil's sessions at one school for one period. A later row for the same pupil and school whose period overlaps an "
            + "earlier one (the same period re-sent or corrected, or split differently) replaces it, so no day is counted twice; "
            + "rows from different schools are added up.")),
        new(DaProgrammes, "Domestic abuse programmes",
        [
            Name("forename", IdentityPart.Forename),
            Name("surname", IdentityPart.Surname),
            Dob(),
            Sex(),
            Label("programme", true),
            Code("role", true, ["victim", "perpetrator"]),
            Date("start_date", true),
            Date("end_date", false),
            Code("outcome", true, ["completed", "dropped_out", "ongoing", "other"]),
        ], "start_date", RecordKey: new(["person", "programme", "role", "start_date"],
            "One person's place on one programme. A later delivery of the same person, programme, role and start date replaces the "
            + "earlier row (an end date or outcome added)."),
            Coverage: FeedCoverage.Snapshot),
        new(MentalHealthScores, "Depression and anxiety scores",
        [
            Nhs(),
            Name("forename", IdentityPart.Forename),
            Name("surname", IdentityPart.Surname),
            Dob(),
            Sex(),
            Code("instrument", true, ["PHQ9", "GAD7"]),
            Code("stage", true, ["initial", "interim", "end"]),
            Date("score_date", true),
            // The widest instrument range here; the instrument's own range (PHQ9 0–27, GAD7 0–21) is a cross-field check.
            Int("score", true, 0, 27),
        ], "score_date", RecordKey: new(["person", "instrument", "stage", "score_date"],
            "One score. A later delivery of the same person's score on the same instrument, stage and date replaces the earlier row; "
            + "scores of one day are read in the order end, initial, interim (an end closes the earlier intervention before an initial opens the next).")),
    ];

    /// <summary>The field of health-aggregates that names the cohort each figure is about.</summary>
    public const string CohortLabelField = "cohort";

    /// <summary>
    /// The contract as the hub reads a delivery: health-aggregates' cohort label must be one of <paramref name="cohortLabels"/>
    /// (the cohorts the rollup reports), since a row for any other label would be stored and used by no KPI. Other feeds are
    /// returned as they are.
    /// </summary>
    public static FeedContract WithCohorts(FeedContract contract, IEnumerable<string> cohortLabels)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(cohortLabels);
        if (contract.Name != HealthAggregates)
        {
            return contract;
        }

        string[] labels = [.. cohortLabels];
        return contract with
        {
            Fields = [.. contract.Fields.Select(f => f.Name == CohortLabelField && f.Type == FieldType.Label ? f with { AllowedValues = labels } : f)],
        };
    }

    /// <summary>The contract of a feed by its name (case-insensitive), or null when there is no such feed.</summary>
    public static FeedContract? Find(string feed) =>
        All.FirstOrDefault(c => string.Equals(c.Name, feed?.Trim(), StringComparison.OrdinalIgnoreCase));

    private static FieldSpec Text(string name, bool required, string? toolkit = null) =>
        new(name, FieldType.Text, Stored, required, ToolkitCode: toolkit);

    private static FieldSpec Label(string name, bool required, string? toolkit = null) =>
        new(name, FieldType.Label, Stored, required, ToolkitCode: toolkit);

    private static FieldSpec Date(string name, bool required, string? toolkit = null) =>
        new(name, FieldType.Date, Stored, required, ToolkitCode: toolkit);

    private static FieldSpec Int(string name, bool required, int? min, int? max, string? toolkit = null) =>
        new(name, FieldType.Integer, Stored, required, Minimum: min, Maximum: max, ToolkitCode: toolkit);

    private static FieldSpec Bool(string name, bool required) => new(name, FieldType.Boolean, Stored, required);

    private static FieldSpec Code(string name, bool required, IReadOnlyList<string> codes, string? toolkit = null) =>
        new(name, FieldType.Code, Stored, required, AllowedValues: codes, ToolkitCode: toolkit);

    private static FieldSpec Sex(string? toolkit = null) =>
        new("sex", FieldType.Code, Stored, true, IdentityPart.Sex, SexCodes, ToolkitCode: toolkit);

    private static FieldSpec LocalId(string name, string? toolkit = null) =>
        new(name, FieldType.Text, Identifier, true, IdentityPart.LocalId, ToolkitCode: toolkit);

    private static FieldSpec Nhs() => new("nhs_number", FieldType.Text, Identifier, false, IdentityPart.NhsNumber);

    private static FieldSpec Upn(bool required) => new("upn", FieldType.Text, Identifier, required, IdentityPart.Upn);

    private static FieldSpec Dob() => new("date_of_birth", FieldType.Date, Identifier, true, IdentityPart.DateOfBirth);

    private static FieldSpec Name(string name, IdentityPart part) => new(name, FieldType.Text, Drop, true, part);
}
