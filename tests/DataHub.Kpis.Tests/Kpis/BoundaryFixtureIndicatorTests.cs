using DataHub.Core.Kpis;
using DataHub.Kpis.Tests.Fixtures;

namespace DataHub.Kpis.Tests.Kpis;

/// <summary>Every computed indicator on the hand-built boundary fixture, with each expected value worked out by hand.</summary>
public sealed class BoundaryFixtureIndicatorTests
{
    private const string Q1 = "2018Q1"; // 2018-01-01 … 2018-03-31
    private const string Q3 = "2018Q3"; // 2018-07-01 … 2018-09-30

    private static readonly Lazy<KpiResults> Results = new(() =>
    {
        var (inputs, _) = new BoundaryFixture().Link();
        var options = new KpiOptions { Cohorts = [BoundaryFixture.Cohort] };
        return new KpiCalculator(options).Compute(inputs, [Quarter.Parse(Q1), Quarter.Parse(Q3)]);
    });

    /// <summary>(quarter, indicator, measure, breakdown, numerator, denominator) for every "all" and category row; a null
    /// numerator is a figure the partner did not send (not available).</summary>
    public static TheoryData<string, string, string, string, long?, long?> Expected => new()
    {
        // ---- 2018Q1 ----
        // KPI01: A1's plan 2017-06-01→2018-02-10 was open at FS start (2018-01-15); H1's plan began 2018-03-25, after FS start 2018-03-20.
        // E3 (CWD) is left out; children in scope = 13 − 1 = 12. K1's family is outside the window.
        { Q1, "KPI01", "children_with_active_plan", "all", 2, 12 },
        { Q1, "KPI01", "children_plan_active_at_fs_start", "all", 1, null },
        { Q1, "KPI01", "children_plan_started_after_fs_start", "all", 1, null },
        { Q1, "KPI01", "active_plans", "all", 2, null },
        // KPI02: closed in Q1: A1 2017-06-01→2018-02-10 = 254 days; open at Q1 end: H1 2018-03-25→2018-03-31 = 6 days.
        { Q1, "KPI02", "avg_days_closed_in_quarter", "all", 254, 1 },
        { Q1, "KPI02", "avg_days_open_at_quarter_end", "all", 6, 1 },
        // KPI03: one new plan (H1) with no earlier plan: no repeat.
        { Q1, "KPI03", "new_plans", "all", 1, null },
        { Q1, "KPI03", "repeat_within_12m_rate", "all", 0, 1 },
        { Q1, "KPI03", "repeat_within_24m_rate", "all", 0, 1 },
        // KPI05: on 1 Jan only H1 (from 2017-10-01) is in care; on 31 Mar A1 (from 02-20) and H1 (ends that day, still counts). G2 is UASC.
        { Q1, "KPI05", "looked_after_at_quarter_start", "all", 1, null },
        { Q1, "KPI05", "looked_after_at_quarter_end", "all", 2, null },
        // KPI06: closed: H1 2017-10-01→2018-03-31 = 181; open: A1 2018-02-20→2018-03-31 = 39.
        { Q1, "KPI06", "avg_days_closed_in_quarter", "all", 181, 1 },
        { Q1, "KPI06", "avg_days_open_at_quarter_end", "all", 39, 1 },
        // KPI07: on 31 Aug 2017 C1 is 4 and C4 is 16 (left out); C2 (b. Aug 2012) is 5 and C3 (b. Sep 2001) is 15.
        // Q1 terms: unauthorised 3 + 12 = 15, authorised 5 + 10 = 15, possible 100 + 120 = 220.
        // Baseline (terms ending 2017-12-20, within 365 days before FS start 2018-02-01): absences 8+6+10+20 = 44 of 110+100 = 210.
        // The 365 days from FS start (to 2019-01-31), the same in every quarter: 5+3+10+12 + 2+1+3+0 = 36 absences of 220 + 230 = 450.
        { Q1, "KPI07", "pupils", "all", 2, null },
        { Q1, "KPI07", "unauthorised_absence_rate", "all", 15, 220 },
        { Q1, "KPI07", "authorised_absence_rate", "all", 15, 220 },
        { Q1, "KPI07", "overall_absence_rate_12m_before_fs", "all", 44, 210 },
        { Q1, "KPI07", "overall_absence_rate_12m_after_fs", "all", 36, 450 },
        // KPI08/09 (cohort label T only): A&E people 3 + 2 = 5 of 12 + 9 = 21, attendances 5 + 2 = 7;
        // admissions people 1 + 1 = 2 of 21; the adults' number of admissions was not supplied, so neither it nor the total is available.
        { Q1, "KPI08", "people_with_ae_attendances", "all", 5, null },
        { Q1, "KPI08", "ae_attendances_rate", "all", 5, 21 },
        { Q1, "KPI08", "ae_attendances", "all", 7, null },
        { Q1, "KPI09", "people_with_emergency_admissions", "all", 2, null },
        { Q1, "KPI09", "emergency_admissions_rate", "all", 2, 21 },
        { Q1, "KPI09", "emergency_admissions", "all", null, null },
        // By age group, as the ICB/CCG sent them: children 3 of 12 (5 attendances), adults 2 of 9 (2); admissions 1 of 12 (1), 1 of 9 (number not supplied).
        { Q1, "KPI08", "people_with_ae_attendances", "age_group:child", 3, null },
        { Q1, "KPI08", "people_with_ae_attendances", "age_group:adult", 2, null },
        { Q1, "KPI08", "ae_attendances_rate", "age_group:child", 3, 12 },
        { Q1, "KPI08", "ae_attendances_rate", "age_group:adult", 2, 9 },
        { Q1, "KPI08", "ae_attendances", "age_group:child", 5, null },
        { Q1, "KPI08", "ae_attendances", "age_group:adult", 2, null },
        { Q1, "KPI09", "people_with_emergency_admissions", "age_group:child", 1, null },
        { Q1, "KPI09", "people_with_emergency_admissions", "age_group:adult", 1, null },
        { Q1, "KPI09", "emergency_admissions_rate", "age_group:child", 1, 12 },
        { Q1, "KPI09", "emergency_admissions_rate", "age_group:adult", 1, 9 },
        { Q1, "KPI09", "emergency_admissions", "age_group:child", 1, null },
        { Q1, "KPI09", "emergency_admissions", "age_group:adult", null, null },
        // KPI10: starts D1 01-25, D2 01-15, D3 02-20, I1 01-06 = 4; closures D3 03-20, I1 02-01 = 2 (D1 04-02, D2 04-01 are Q2);
        // successful: I1. I1's completion on 02-01 is 58 days before the Q1 end: not yet known.
        { Q1, "KPI10", "treatment_starts", "all", 4, null },
        { Q1, "KPI10", "treatment_closures", "all", 2, null },
        { Q1, "KPI10", "successful_completions", "all", 1, null },
        { Q1, "KPI10", "successful_completion_rate", "all", 1, 2 },
        { Q1, "KPI10", "completed_since_fs", "all", 1, null },
        { Q1, "KPI10", "completed_since_fs", "outcome:not_represented", 0, null },
        { Q1, "KPI10", "completed_since_fs", "outcome:re_presented", 0, null },
        { Q1, "KPI10", "completed_since_fs", "outcome:not_yet_known", 1, null },
        // KPI11: assessed D1, D2, D3, I1 = 4; D3 did not engage (1 of 4); D3 dropped out 03-20.
        { Q1, "KPI11", "initial_assessments", "all", 4, null },
        { Q1, "KPI11", "no_engagement_rate", "all", 1, 4 },
        { Q1, "KPI11", "treatment_dropouts", "all", 1, null },
        { Q1, "KPI11", "dna_rate", "all", 1, 2 },
        // KPI12/13: by 31 Mar only D2 has two forms (D1 has one; the twins' forms are ambiguous and unlinked).
        // D2: use 10→12 declined; wellbeing 10→10 unchanged; physical 10→9 declined; work 10→10 unchanged; quality 10→11 improved.
        { Q1, "KPI12", "substance_use_days_change", "all", 1, null },
        { Q1, "KPI12", "substance_use_days_change", "change:improved", 0, null },
        { Q1, "KPI12", "substance_use_days_change", "change:unchanged", 0, null },
        { Q1, "KPI12", "substance_use_days_change", "change:declined", 1, null },
        { Q1, "KPI13", "psychological_wellbeing_change", "all", 1, null },
        { Q1, "KPI13", "psychological_wellbeing_change", "change:improved", 0, null },
        { Q1, "KPI13", "psychological_wellbeing_change", "change:unchanged", 1, null },
        { Q1, "KPI13", "psychological_wellbeing_change", "change:declined", 0, null },
        { Q1, "KPI13", "physical_health_change", "all", 1, null },
        { Q1, "KPI13", "physical_health_change", "change:improved", 0, null },
        { Q1, "KPI13", "physical_health_change", "change:unchanged", 0, null },
        { Q1, "KPI13", "physical_health_change", "change:declined", 1, null },
        { Q1, "KPI13", "paid_work_days_change", "all", 1, null },
        { Q1, "KPI13", "paid_work_days_change", "change:improved", 0, null },
        { Q1, "KPI13", "paid_work_days_change", "change:unchanged", 1, null },
        { Q1, "KPI13", "paid_work_days_change", "change:declined", 0, null },
        { Q1, "KPI13", "quality_of_life_change", "all", 1, null },
        { Q1, "KPI13", "quality_of_life_change", "change:improved", 1, null },
        { Q1, "KPI13", "quality_of_life_change", "change:unchanged", 0, null },
        { Q1, "KPI13", "quality_of_life_change", "change:declined", 0, null },
        // KPI15: D1 PHQ9 18→12 improved (GAD7 has one score by 31 Mar); D2 GAD7 8→11 declined.
        { Q1, "KPI15", "phq9_change", "all", 1, null },
        { Q1, "KPI15", "phq9_change", "change:improved", 1, null },
        { Q1, "KPI15", "phq9_change", "change:unchanged", 0, null },
        { Q1, "KPI15", "phq9_change", "change:declined", 0, null },
        { Q1, "KPI15", "gad7_change", "all", 1, null },
        { Q1, "KPI15", "gad7_change", "change:improved", 0, null },
        { Q1, "KPI15", "gad7_change", "change:unchanged", 0, null },
        { Q1, "KPI15", "gad7_change", "change:declined", 1, null },
        // KPI17 (adults worked with: A2 B3 B4 D1 D2 D3 E1 G1; C5, I1, I2 are not), windows of 365 days, one cell per cohort:
        // before: A2 2017-03-01, 06-01, 09-01, 12-01 (FS start 2018-01-15; 2017-10-01 "other" is no party) = 4, E1 2017-11-01 = 1 → 5.
        // after (the 365 days from FS start): A2 2018-05-01; B3 02-10, 03-10, 04-10, 05-10, 06-10; B4 02-15, 03-15, 04-15, 05-15;
        // E1 02-20; G1 03-20 → 12. Repeats before: A2's last 3 → 3; after: B3's last 4 and B4's last 3 → 7.
        // In Q1 from FS start: B3 02-10, 03-10; B4 02-15, 03-15; E1 02-20; G1 03-20 → 6.
        { Q1, "KPI17", "incidents_12m_before_fs", "all", 5, null },
        { Q1, "KPI17", "incidents_12m_after_fs", "all", 12, null },
        { Q1, "KPI17", "incidents_change", "all", 12, 5 },
        { Q1, "KPI17", "repeats_12m_before_fs", "all", 3, null },
        { Q1, "KPI17", "repeats_12m_after_fs", "all", 7, null },
        { Q1, "KPI17", "repeats_change", "all", 7, 3 },
        { Q1, "KPI17", "incidents_in_quarter", "all", 6, null },
        // KPI18: D1 starts 02-01, D2 02-15; D1's victim programme ends 03-30 completed.
        { Q1, "KPI18", "programme_starts", "all", 2, null },
        { Q1, "KPI18", "programme_ends", "all", 1, null },
        { Q1, "KPI18", "completion_rate", "all", 1, 1 },
        { Q1, "KPI18", "completion_rate", "role:victim", 1, 1 },
        { Q1, "KPI18", "completion_rate", "role:perpetrator", 0, 0 },
        // KPI19: 365 days to 31 Mar: G1's MARAC referral flags G1; A2 has 3 incidents (2 repeats), B3, B4, E1 2 each → 1 of 8.
        { Q1, "KPI19", "people_flagged", "all", 1, 8 },

        // ---- 2018Q3 ----
        // KPI01: B1 and B2 new plans from 07-15, H1's plan to 08-31: all started after FS start. A1's ended 02-10.
        { Q3, "KPI01", "children_with_active_plan", "all", 3, 12 },
        { Q3, "KPI01", "children_plan_active_at_fs_start", "all", 0, null },
        { Q3, "KPI01", "children_plan_started_after_fs_start", "all", 3, null },
        { Q3, "KPI01", "active_plans", "all", 3, null },
        // KPI02: closed: H1 2018-03-25→08-31 = 159; open: B1, B2 2018-07-15→09-30 = 77 + 77 = 154.
        { Q3, "KPI02", "avg_days_closed_in_quarter", "all", 159, 1 },
        { Q3, "KPI02", "avg_days_open_at_quarter_end", "all", 154, 2 },
        // KPI03: B1's earlier plan ended 2017-07-15: 365 days → within 12 and 24 months; B2's ended 2017-07-14: 366 days → 24 months only.
        { Q3, "KPI03", "new_plans", "all", 2, null },
        { Q3, "KPI03", "repeat_within_12m_rate", "all", 1, 2 },
        { Q3, "KPI03", "repeat_within_24m_rate", "all", 2, 2 },
        // KPI05/06: only A1 is in care (from 2018-02-20): 222 days at 30 Sep; nothing closed.
        { Q3, "KPI05", "looked_after_at_quarter_start", "all", 1, null },
        { Q3, "KPI05", "looked_after_at_quarter_end", "all", 1, null },
        { Q3, "KPI06", "avg_days_closed_in_quarter", "all", 0, 0 },
        { Q3, "KPI06", "avg_days_open_at_quarter_end", "all", 222, 1 },
        // KPI07: summer terms ending 07-20: unauthorised 1 + 0, authorised 2 + 3, possible 120 + 110 = 230.
        // The fixed windows before and after FS start are the same cells as in Q1.
        { Q3, "KPI07", "pupils", "all", 2, null },
        { Q3, "KPI07", "unauthorised_absence_rate", "all", 1, 230 },
        { Q3, "KPI07", "authorised_absence_rate", "all", 5, 230 },
        { Q3, "KPI07", "overall_absence_rate_12m_before_fs", "all", 44, 210 },
        { Q3, "KPI07", "overall_absence_rate_12m_after_fs", "all", 36, 450 },
        // KPI08: only the children's row came: 4 of 12, 6 attendances; the adults' and so the totals are not available; KPI09: no rows at all.
        { Q3, "KPI08", "people_with_ae_attendances", "all", null, null },
        { Q3, "KPI08", "ae_attendances_rate", "all", null, null },
        { Q3, "KPI08", "ae_attendances", "all", null, null },
        { Q3, "KPI09", "people_with_emergency_admissions", "all", null, null },
        { Q3, "KPI09", "emergency_admissions_rate", "all", null, null },
        { Q3, "KPI09", "emergency_admissions", "all", null, null },
        { Q3, "KPI08", "people_with_ae_attendances", "age_group:child", 4, null },
        { Q3, "KPI08", "people_with_ae_attendances", "age_group:adult", null, null },
        { Q3, "KPI08", "ae_attendances_rate", "age_group:child", 4, 12 },
        { Q3, "KPI08", "ae_attendances_rate", "age_group:adult", null, null },
        { Q3, "KPI08", "ae_attendances", "age_group:child", 6, null },
        { Q3, "KPI08", "ae_attendances", "age_group:adult", null, null },
        { Q3, "KPI09", "people_with_emergency_admissions", "age_group:child", null, null },
        { Q3, "KPI09", "people_with_emergency_admissions", "age_group:adult", null, null },
        { Q3, "KPI09", "emergency_admissions_rate", "age_group:child", null, null },
        { Q3, "KPI09", "emergency_admissions_rate", "age_group:adult", null, null },
        { Q3, "KPI09", "emergency_admissions", "age_group:child", null, null },
        { Q3, "KPI09", "emergency_admissions", "age_group:adult", null, null },
        // KPI10 at 30 Sep: D2 completed 2018-04-01 = 182 days ago, no new start → not re-presented;
        // D1 completed 2018-04-02 = 181 days ago → not yet known; I1 completed 02-01 and restarted 05-01 (89 days) → re-presented.
        { Q3, "KPI10", "treatment_starts", "all", 0, null },
        { Q3, "KPI10", "treatment_closures", "all", 0, null },
        { Q3, "KPI10", "successful_completions", "all", 0, null },
        { Q3, "KPI10", "successful_completion_rate", "all", 0, 0 },
        { Q3, "KPI10", "completed_since_fs", "all", 3, null },
        { Q3, "KPI10", "completed_since_fs", "outcome:not_represented", 1, null },
        { Q3, "KPI10", "completed_since_fs", "outcome:re_presented", 1, null },
        { Q3, "KPI10", "completed_since_fs", "outcome:not_yet_known", 1, null },
        { Q3, "KPI11", "initial_assessments", "all", 0, null },
        { Q3, "KPI11", "no_engagement_rate", "all", 0, 0 },
        { Q3, "KPI11", "treatment_dropouts", "all", 0, null },
        { Q3, "KPI11", "dna_rate", "all", 0, 0 },
        // KPI12/13: D1 now has two forms: use 20→5 improved; wellbeing 8→12 improved; physical 10→10 unchanged; work 0→4 improved; quality 9→7 declined. D2 as in Q1.
        { Q3, "KPI12", "substance_use_days_change", "all", 2, null },
        { Q3, "KPI12", "substance_use_days_change", "change:improved", 1, null },
        { Q3, "KPI12", "substance_use_days_change", "change:unchanged", 0, null },
        { Q3, "KPI12", "substance_use_days_change", "change:declined", 1, null },
        { Q3, "KPI13", "psychological_wellbeing_change", "all", 2, null },
        { Q3, "KPI13", "psychological_wellbeing_change", "change:improved", 1, null },
        { Q3, "KPI13", "psychological_wellbeing_change", "change:unchanged", 1, null },
        { Q3, "KPI13", "psychological_wellbeing_change", "change:declined", 0, null },
        { Q3, "KPI13", "physical_health_change", "all", 2, null },
        { Q3, "KPI13", "physical_health_change", "change:improved", 0, null },
        { Q3, "KPI13", "physical_health_change", "change:unchanged", 1, null },
        { Q3, "KPI13", "physical_health_change", "change:declined", 1, null },
        { Q3, "KPI13", "paid_work_days_change", "all", 2, null },
        { Q3, "KPI13", "paid_work_days_change", "change:improved", 1, null },
        { Q3, "KPI13", "paid_work_days_change", "change:unchanged", 1, null },
        { Q3, "KPI13", "paid_work_days_change", "change:declined", 0, null },
        { Q3, "KPI13", "quality_of_life_change", "all", 2, null },
        { Q3, "KPI13", "quality_of_life_change", "change:improved", 1, null },
        { Q3, "KPI13", "quality_of_life_change", "change:unchanged", 0, null },
        { Q3, "KPI13", "quality_of_life_change", "change:declined", 1, null },
        // KPI15: D1 PHQ9 18→14 improved; GAD7 D1 10→10 unchanged, D2 8→11 declined.
        { Q3, "KPI15", "phq9_change", "all", 1, null },
        { Q3, "KPI15", "phq9_change", "change:improved", 1, null },
        { Q3, "KPI15", "phq9_change", "change:unchanged", 0, null },
        { Q3, "KPI15", "phq9_change", "change:declined", 0, null },
        { Q3, "KPI15", "gad7_change", "all", 2, null },
        { Q3, "KPI15", "gad7_change", "change:improved", 0, null },
        { Q3, "KPI15", "gad7_change", "change:unchanged", 1, null },
        { Q3, "KPI15", "gad7_change", "change:declined", 1, null },
        // KPI17: the fixed windows are the Q1 cells; nothing in July–September.
        { Q3, "KPI17", "incidents_12m_before_fs", "all", 5, null },
        { Q3, "KPI17", "incidents_12m_after_fs", "all", 12, null },
        { Q3, "KPI17", "incidents_change", "all", 12, 5 },
        { Q3, "KPI17", "repeats_12m_before_fs", "all", 3, null },
        { Q3, "KPI17", "repeats_12m_after_fs", "all", 7, null },
        { Q3, "KPI17", "repeats_change", "all", 7, 3 },
        { Q3, "KPI17", "incidents_in_quarter", "all", 0, null },
        // KPI18: D3 starts 07-01; D2's perpetrator programme ends 08-15 dropped out → 0 of 1 completed.
        { Q3, "KPI18", "programme_starts", "all", 1, null },
        { Q3, "KPI18", "programme_ends", "all", 1, null },
        { Q3, "KPI18", "completion_rate", "all", 0, 1 },
        { Q3, "KPI18", "completion_rate", "role:victim", 0, 0 },
        { Q3, "KPI18", "completion_rate", "role:perpetrator", 0, 1 },
        // KPI19: 365 days to 30 Sep (from 2017-09-30): B3 has 5 incidents = 4 repeats → flagged; B4 4 incidents = 3 repeats → not;
        // G1's MARAC (2018-03-20) still in the window; A2 2 (2017-12-01, 2018-05-01) → 2 of 8.
        { Q3, "KPI19", "people_flagged", "all", 2, 8 },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void Computes_the_hand_worked_value(string quarter, string indicator, string measure, string breakdown, long? numerator, long? denominator)
    {
        var row = Results.Value.Find("T", quarter, indicator, measure, breakdown);
        row.Should().NotBeNull();
        row!.Numerator.Value.Should().Be(numerator);
        (row.Denominator?.Value).Should().Be(denominator);
    }

    [Fact]
    public void Every_all_and_category_row_has_a_hand_worked_expectation()
    {
        var expected = Expected.Select(e => ((string)e[0], (string)e[1], (string)e[2], (string)e[3])).ToHashSet();
        var computed = Results.Value.Rows.Where(r => !r.Breakdown.StartsWith("team:", StringComparison.Ordinal))
            .Select(r => (r.Quarter, r.Measure.Indicator, r.Measure.Measure, r.Breakdown)).ToHashSet();
        computed.Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void Team_parts_add_up_to_all_and_follow_the_deciding_family()
    {
        // KPI19 in Q3: B3 (F02) and G1 (F07) are South; adults worked with North = A2, E1 (E1's earliest family F05 is North) = 2, South = 6.
        var r = Results.Value;
        r.Find("T", Q3, "KPI19", "people_flagged", "team:South")!.Numerator.Value.Should().Be(2);
        r.Find("T", Q3, "KPI19", "people_flagged", "team:South")!.Denominator!.Value.Should().Be(6);
        r.Find("T", Q3, "KPI19", "people_flagged", "team:North")!.Numerator.Value.Should().Be(0);
        r.Find("T", Q3, "KPI19", "people_flagged", "team:North")!.Denominator!.Value.Should().Be(2);
        // KPI01 in Q1: A1 (F01) and H1 (F08) are North; North children in scope A1 C1 C2 C3 C4 E2 H1 J1 = 8, South B1 B2 G2 I3 = 4.
        r.Find("T", Q1, "KPI01", "children_with_active_plan", "team:North")!.Numerator.Value.Should().Be(2);
        r.Find("T", Q1, "KPI01", "children_with_active_plan", "team:North")!.Denominator!.Value.Should().Be(8);
        r.Find("T", Q1, "KPI01", "children_with_active_plan", "team:South")!.Denominator!.Value.Should().Be(4);
    }

    [Fact]
    public void Cohort_counts_families_once_and_people_once_even_in_two_families()
    {
        // F01–F10 (F11 starts 2018-04-01, outside); E1 is in F05 and F06 but one adult.
        var cohort = Results.Value.Cohorts.Single();
        cohort.Families.Value.Should().Be(10);
        cohort.Children.Value.Should().Be(13);
        cohort.Adults.Value.Should().Be(11);
    }

    [Fact]
    public void Family_totals_count_a_person_in_each_of_their_families()
    {
        // E1's one incident in the 12 months before FS start counts in F05 and in F06.
        var families = FamilyValues.From(Results.Value.PersonValues)
            .Where(f => f.Quarter == null && f.Quantity == "KPI17.incidents_12m_before_fs")
            .ToDictionary(f => f.FamilyKey, f => f.Value);
        families["F05"].Should().Be(1);
        families["F06"].Should().Be(1);
        families["F01"].Should().Be(4);
        families.Values.Sum().Should().Be(6, "the cohort total is 5; E1 counts once in each of two families");
    }

    [Fact]
    public void Every_count_margin_adds_up()
    {
        var cells = Results.Value.Cells.ToDictionary(c => c.Id);
        foreach (var margin in Results.Value.Margins.Where(m => m.PartIds.Append(m.TotalId).All(id => cells[id].Value is not null)))
        {
            margin.PartIds.Sum(p => cells[p].Value).Should().Be(cells[margin.TotalId].Value, margin.TotalId);
        }
    }

    [Fact]
    public void Indicator_6_counts_every_FS_child_in_care_including_children_with_disabilities_that_indicator_5_leaves_out()
    {
        // E3 (CWD, FS start 2018-03-01) in care from 2018-01-10, open at the Q1 end: 80 days beside A1's 39.
        var fixture = new BoundaryFixture();
        fixture.Period("E3", new DateOnly(2018, 1, 10), null);
        var results = new KpiCalculator(new KpiOptions { Cohorts = [BoundaryFixture.Cohort] }).Compute(fixture.Link().Inputs, [Quarter.Parse(Q1)]);

        var open = results.Find("T", Q1, "KPI06", "avg_days_open_at_quarter_end")!;
        (open.Numerator.Value, open.Denominator!.Value).Should().Be((39 + 80, 2));
        results.Find("T", Q1, "KPI05", "looked_after_at_quarter_end")!.Numerator.Value.Should().Be(2, "KPI05 follows the CWD switch");
    }

    [Fact]
    public void Including_children_with_disabilities_when_switched_off_counts_their_plans()
    {
        // With the CWD switch off, E3's plan from 2018-03-05 (FS start 2018-03-01, after it) joins Q1: 3 children of 13.
        var (inputs, _) = new BoundaryFixture().Link();
        var options = new KpiOptions { Cohorts = [BoundaryFixture.Cohort], ExcludeChildrenWithDisabilities = false };
        var results = new KpiCalculator(options).Compute(inputs, [Quarter.Parse(Q1)]);
        var row = results.Find("T", Q1, "KPI01", "children_with_active_plan")!;
        row.Numerator.Value.Should().Be(3);
        row.Denominator!.Value.Should().Be(13);
    }
}
