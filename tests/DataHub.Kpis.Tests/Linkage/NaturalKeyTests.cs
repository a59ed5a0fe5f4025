using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Kpis.Tests.Rollup;

namespace DataHub.Kpis.Tests.Linkage;

/// <summary>
/// Records are kept under their feed's natural key, and a later delivery of a key replaces the earlier one: attendance by
/// pupil, school and period (overlapping periods at one school never counted twice), episodes, programmes and scores by
/// their partner keys. One pupil, C, aged 9, FS start 1 February 2018 (cohort W).
/// </summary>
public sealed class NaturalKeyTests
{
    private static readonly CohortDefinition Cohort = new("W", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31));
    private static readonly PersonKeys Pupil = new(Upn: "v1:upn-C", NameDob: "v1:nd-C");
    private static readonly PersonKeys Adult = new(Nhs: "v1:nhs-A", NameDob: "v1:nd-A", Attributor: "v1:att-A");

    private static LinkedInputsBuilder Builder()
    {
        var index = CohortIndex.Build(
        [
            new CscPersonRow(new PersonKeys(Upn: "v1:upn-C", NameDob: "v1:nd-C", Local: "v1:csc-C"), "F1", "R1", 2008, 5, "U", "child", new DateOnly(2018, 2, 1), null, "North", false, false, false),
            new CscPersonRow(new PersonKeys(Nhs: "v1:nhs-A", NameDob: "v1:nd-A", Attributor: "v1:att-A", Local: "v1:csc-A"), "F1", null, 1985, 5, "U", "parent", new DateOnly(2018, 2, 1), null, "North", false, false, true),
        ]);
        return new LinkedInputsBuilder(index);
    }

    private static AttendanceRow Term(string school, DateOnly start, DateOnly end, int possible, int authorised, int unauthorised) =>
        new(Pupil, school, start, end, possible, authorised, unauthorised);

    private static (long? Unauthorised, long? Possible) Spring2018(LinkedInputsBuilder builder)
    {
        var row = new KpiCalculator(new KpiOptions { Cohorts = [Cohort] }).Compute(builder.Build(), [Quarter.Parse("2018Q1")])
            .Find("W", "2018Q1", "KPI07", "unauthorised_absence_rate")!;
        return (row.Numerator.Value, row.Denominator!.Value);
    }

    [Fact]
    public void A_corrected_resend_of_an_attendance_period_replaces_the_original()
    {
        var builder = Builder();
        builder.Add(Term("100001", new DateOnly(2018, 1, 5), new DateOnly(2018, 3, 29), 110, 6, 9));
        builder.Add(Term("100001", new DateOnly(2018, 1, 5), new DateOnly(2018, 3, 29), 112, 6, 4)); // the school's correction

        Spring2018(builder).Should().Be((4, 112));
    }

    [Fact]
    public void Overlapping_periods_at_one_school_are_not_counted_twice()
    {
        var builder = Builder();
        builder.Add(Term("100001", new DateOnly(2018, 1, 5), new DateOnly(2018, 3, 29), 110, 6, 9));
        // Sent again as two half terms: together they replace the term; neither is added to it.
        builder.Add(Term("100001", new DateOnly(2018, 1, 5), new DateOnly(2018, 2, 16), 60, 2, 3));
        builder.Add(Term("100001", new DateOnly(2018, 2, 19), new DateOnly(2018, 3, 29), 50, 1, 2));

        Spring2018(builder).Should().Be((5, 110));
        builder.Build().Attendance.Count.Should().Be(2);
    }

    [Fact]
    public void Periods_at_two_schools_are_added_up()
    {
        var builder = Builder();
        builder.Add(Term("100001", new DateOnly(2018, 1, 5), new DateOnly(2018, 2, 16), 60, 2, 3));
        builder.Add(Term("100002", new DateOnly(2018, 1, 5), new DateOnly(2018, 3, 29), 40, 1, 2)); // dual registration

        Spring2018(builder).Should().Be((5, 100));
    }

    [Fact]
    public void A_later_delivery_of_an_episode_a_programme_or_a_score_replaces_the_earlier_one()
    {
        var builder = Builder();
        var client = Adult with { Local = "v1:sm-A" };
        // The episode first sent open, then with its closure; the programme first ongoing, then completed; a score corrected.
        builder.Add(new SubstanceMisuseEpisodeRow(client, new DateOnly(2018, 2, 5), "treatment", new DateOnly(2018, 2, 10), null, null));
        builder.Add(new SubstanceMisuseEpisodeRow(client, new DateOnly(2018, 2, 5), "treatment", new DateOnly(2018, 2, 10), new DateOnly(2018, 3, 20), "treatment_completed_drug_free"));
        builder.Add(new DaProgrammeRow(Adult, "Freedom", "victim", new DateOnly(2018, 2, 6), null, "ongoing"));
        builder.Add(new DaProgrammeRow(Adult, "Freedom", "victim", new DateOnly(2018, 2, 6), new DateOnly(2018, 3, 28), "completed"));
        builder.Add(new MentalHealthScoreRow(Adult, "GAD7", "initial", new DateOnly(2018, 2, 7), 9));
        builder.Add(new MentalHealthScoreRow(Adult, "GAD7", "interim", new DateOnly(2018, 3, 7), 15));
        builder.Add(new MentalHealthScoreRow(Adult, "GAD7", "interim", new DateOnly(2018, 3, 7), 5));

        var inputs = builder.Build();
        var results = new KpiCalculator(new KpiOptions { Cohorts = [Cohort] }).Compute(inputs, [Quarter.Parse("2018Q1")]);

        inputs.Episodes.Count.Should().Be(1);
        inputs.Programmes.Count.Should().Be(1);
        inputs.Scores.Count.Should().Be(2);
        results.Find("W", "2018Q1", "KPI10", "successful_completion_rate")!.Numerator.Value.Should().Be(1);
        results.Find("W", "2018Q1", "KPI10", "treatment_starts")!.Numerator.Value.Should().Be(1, "one episode, not two");
        results.Find("W", "2018Q1", "KPI18", "completion_rate", "role:victim")!.Numerator.Value.Should().Be(1);
        results.Find("W", "2018Q1", "KPI15", "gad7_change", "change:improved")!.Numerator.Value.Should().Be(1, "9 → 5 after the correction");
    }

    [Fact]
    public async Task The_rollup_reads_deliveries_oldest_first_so_a_re_sent_period_replaces_the_first()
    {
        using var hub = new FixtureRollup();
        var f = new BoundaryFixture();
        await MartFileWriter.WriteAsync(hub.Store, f);
        // C2's spring term, re-sent later with a corrected count of unauthorised sessions (3 → 8).
        var spring = f.Attendance.Single(a => a.Keys.Upn == BoundaryFixture.Token("upn", "C2") && a.PeriodEnd == new DateOnly(2018, 3, 29));
        await MartFileWriter.WriteAttendanceAsync(hub.Store, [spring with { UnauthorisedAbsenceSessions = 8 }], "b2");
        File.SetLastWriteTimeUtc(hub.Local("secure/school-attendance/quarter=2018Q3/b1.parquet"), DateTime.UtcNow.AddDays(-30));

        var run = await hub.RunAsync(FixtureRollup.Exact);

        // Q1 unauthorised: C2 8 (was 3) + C3 12 = 20 of 220 possible.
        (await hub.ValueAsync(run, "2018Q1", "KPI07.unauthorised_absence_rate")).Should().BeEquivalentTo(new { Numerator = (long?)20, Denominator = (long?)220 });
    }
}
