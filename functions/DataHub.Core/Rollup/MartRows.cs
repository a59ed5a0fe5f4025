using DataHub.Core.Kpis;

namespace DataHub.Core.Rollup;

/// <summary>Binds each feed's typed row reader to a mart row group's columns by contract name (contract C6).</summary>
internal static class MartRows
{
    public static Func<int, CscPersonRow> CscPerson(MartRowGroup g)
    {
        var (keys, family, referral, year, month, sex, relationship) = (g.Keys(), g.RequiredText("family_key"), g.Text("referral_key"),
            g.RequiredInt("birth_year"), g.RequiredInt("birth_month"), g.Text("sex"), g.Text("relationship"));
        var (fsStart, fsEnd, team, uasc, cwd, workedWith) = (g.RequiredDate("fs_start_date"), g.Date("fs_end_date"), g.RequiredText("fs_team"),
            g.Bool("uasc"), g.Bool("cwd"), g.Bool("worked_with"));
        return r => new(keys(r), family(r), referral(r), year(r), month(r), sex(r) ?? "U", relationship(r), fsStart(r), fsEnd(r), team(r), uasc(r), cwd(r), workedWith(r));
    }

    public static Func<int, CpPlanRow> CpPlan(MartRowGroup g)
    {
        var (keys, key, start, end) = (g.Keys(), g.RequiredText("plan_key"), g.RequiredDate("start_date"), g.Date("end_date"));
        return r => new(keys(r), key(r), start(r), end(r));
    }

    public static Func<int, ClaPeriodRow> ClaPeriod(MartRowGroup g)
    {
        var (keys, key, start, end) = (g.Keys(), g.RequiredText("period_key"), g.RequiredDate("start_date"), g.Date("end_date"));
        return r => new(keys(r), key(r), start(r), end(r));
    }

    public static Func<int, DaIncidentRow> Incident(MartRowGroup g)
    {
        var (keys, id, date, role, crime, marac) = (g.Keys(), g.RequiredText("incident_id"), g.RequiredDate("incident_date"), g.RequiredText("role"),
            g.Bool("crime"), g.Bool("marac_referral"));
        return r => new(keys(r), id(r), date(r), role(r), crime(r), marac(r));
    }

    public static Func<int, HealthAggregateRow> Health(MartRowGroup g)
    {
        var (quarter, cohort, age, measure) = (g.RequiredText("quarter"), g.RequiredText("cohort"), g.RequiredText("age_group"), g.RequiredText("measure"));
        var (people, withEvent, events) = (g.RequiredInt("cohort_people"), g.RequiredInt("people_with_event"), g.Int("events"));
        return r => new(quarter(r), cohort(r), age(r), measure(r), people(r), withEvent(r), events(r));
    }

    public static Func<int, SubstanceMisuseEpisodeRow> Episode(MartRowGroup g)
    {
        var (keys, assessed, outcome, start, closure, reason) = (g.Keys(), g.RequiredDate("assessment_date"), g.RequiredText("assessment_outcome"),
            g.Date("treatment_start_date"), g.Date("closure_date"), g.Text("closure_reason"));
        return r => new(keys(r), assessed(r), outcome(r), start(r), closure(r), reason(r));
    }

    public static Func<int, TopsFormRow> Tops(MartRowGroup g)
    {
        var (keys, date, stage) = (g.Keys(), g.RequiredDate("form_date"), g.RequiredText("stage"));
        var (use, wellbeing, health, quality, work) = (g.RequiredInt("substance_use_days"), g.RequiredInt("psychological_wellbeing"),
            g.RequiredInt("physical_health"), g.RequiredInt("quality_of_life"), g.RequiredInt("paid_work_days"));
        return r => new(keys(r), date(r), stage(r), use(r), wellbeing(r), health(r), quality(r), work(r));
    }

    public static Func<int, AttendanceRow> Attendance(MartRowGroup g)
    {
        var (keys, urn, start, end) = (g.Keys(), g.Text("school_urn"), g.RequiredDate("period_start"), g.RequiredDate("period_end"));
        var (possible, authorised, unauthorised) = (g.RequiredInt("possible_sessions"), g.RequiredInt("authorised_absence_sessions"), g.RequiredInt("unauthorised_absence_sessions"));
        return r => new(keys(r), urn(r) ?? "", start(r), end(r), possible(r), authorised(r), unauthorised(r));
    }

    public static Func<int, DaProgrammeRow> Programme(MartRowGroup g)
    {
        var (keys, programme, role, start, end, outcome) = (g.Keys(), g.Text("programme"), g.RequiredText("role"), g.RequiredDate("start_date"),
            g.Date("end_date"), g.RequiredText("outcome"));
        return r => new(keys(r), programme(r) ?? "", role(r), start(r), end(r), outcome(r));
    }

    public static Func<int, MentalHealthScoreRow> Score(MartRowGroup g)
    {
        var (keys, instrument, stage, date, score) = (g.Keys(), g.RequiredText("instrument"), g.Text("stage"), g.RequiredDate("score_date"), g.RequiredInt("score"));
        return r => new(keys(r), instrument(r), stage(r) ?? "", date(r), score(r));
    }
}
