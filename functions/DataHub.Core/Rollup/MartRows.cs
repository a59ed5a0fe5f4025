using DataHub.Core.Kpis;

namespace DataHub.Core.Rollup;

/// <summary>Reads each feed's typed rows from a mart row group by contract column name (contract C6).</summary>
internal static class MartRows
{
    public static CscPersonRow CscPerson(MartRowGroup g, int r) => new(
        g.Keys(r),
        g.RequiredText("family_key", r),
        g.Text("referral_key", r),
        g.RequiredInt("birth_year", r),
        g.RequiredInt("birth_month", r),
        g.Text("sex", r) ?? "U",
        g.Text("relationship", r),
        g.RequiredDate("fs_start_date", r),
        g.Date("fs_end_date", r),
        g.RequiredText("fs_team", r),
        g.Bool("uasc", r),
        g.Bool("cwd", r),
        g.Bool("worked_with", r));

    public static CpPlanRow CpPlan(MartRowGroup g, int r) =>
        new(g.Keys(r), g.RequiredText("plan_key", r), g.RequiredDate("start_date", r), g.Date("end_date", r));

    public static ClaPeriodRow ClaPeriod(MartRowGroup g, int r) =>
        new(g.Keys(r), g.RequiredText("period_key", r), g.RequiredDate("start_date", r), g.Date("end_date", r));

    public static DaIncidentRow Incident(MartRowGroup g, int r) => new(
        g.Keys(r), g.RequiredText("incident_id", r), g.RequiredDate("incident_date", r), g.RequiredText("role", r), g.Bool("crime", r), g.Bool("marac_referral", r));

    public static HealthAggregateRow Health(MartRowGroup g, int r) => new(
        g.RequiredText("quarter", r), g.RequiredText("cohort", r), g.RequiredText("age_group", r), g.RequiredText("measure", r),
        g.RequiredInt("cohort_people", r), g.RequiredInt("people_with_event", r), g.Int("events", r));

    public static SubstanceMisuseEpisodeRow Episode(MartRowGroup g, int r) => new(
        g.Keys(r), g.RequiredDate("assessment_date", r), g.RequiredText("assessment_outcome", r), g.Date("treatment_start_date", r),
        g.Date("closure_date", r), g.Text("closure_reason", r));

    public static TopsFormRow Tops(MartRowGroup g, int r) => new(
        g.Keys(r), g.RequiredDate("form_date", r), g.RequiredText("stage", r), g.RequiredInt("substance_use_days", r),
        g.RequiredInt("psychological_wellbeing", r), g.RequiredInt("physical_health", r), g.RequiredInt("quality_of_life", r), g.RequiredInt("paid_work_days", r));

    public static AttendanceRow Attendance(MartRowGroup g, int r) => new(
        g.Keys(r), g.Text("school_urn", r) ?? "", g.RequiredDate("period_start", r), g.RequiredDate("period_end", r),
        g.RequiredInt("possible_sessions", r), g.RequiredInt("authorised_absence_sessions", r), g.RequiredInt("unauthorised_absence_sessions", r));

    public static DaProgrammeRow Programme(MartRowGroup g, int r) => new(
        g.Keys(r), g.Text("programme", r) ?? "", g.RequiredText("role", r), g.RequiredDate("start_date", r), g.Date("end_date", r), g.RequiredText("outcome", r));

    public static MentalHealthScoreRow Score(MartRowGroup g, int r) =>
        new(g.Keys(r), g.RequiredText("instrument", r), g.Text("stage", r) ?? "", g.RequiredDate("score_date", r), g.RequiredInt("score", r));
}
