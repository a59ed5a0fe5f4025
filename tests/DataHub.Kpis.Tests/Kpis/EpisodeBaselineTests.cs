using DataHub.Core.Kpis;
using DataHub.Core.Linkage;

namespace DataHub.Kpis.Tests.Kpis;

/// <summary>
/// The baseline rule of indicators 12, 13 and 15: the opening assessment of the episode open on the FS start date (or opening
/// within the window after it) is compared with that episode's latest assessment; stages mark the episodes, and assessments of
/// one day are read exit, start, review. FS start is 10 January 2018 throughout.
/// </summary>
public sealed class EpisodeBaselineTests
{
    private static readonly DateOnly FsStart = new(2018, 1, 10);
    private static readonly DateOnly AsOf = new(2019, 12, 31);

    private static LinkedTopsForm Form(int y, int m, int d, AssessmentStage stage, int useDays) => new(0, new DateOnly(y, m, d), stage, useDays, 0, 0, 0, 0);

    // The forms in the order the hub reads them (by date, then the same-day order), as one person's series.
    private static LinkedTopsForm[] Series(params LinkedTopsForm[] forms) =>
        new KpiInputs([new CohortPerson(0, new PersonKeys(), 1980, 1)], [], topsForms: forms).TopsForms.For(0).ToArray();

    private static (DateOnly Baseline, DateOnly Latest)? Compared(LinkedTopsForm[] series, int windowDays = 365) =>
        ScoreChange.BaselineAndLatest<LinkedTopsForm>(series, f => f.FormDate, f => f.Stage, FsStart, AsOf, windowDays) is { } pair
            ? (series[pair.Baseline].FormDate, series[pair.Latest].FormDate)
            : null;

    [Fact]
    public void The_baseline_is_the_start_of_the_episode_open_at_FS_start_not_an_earlier_form()
    {
        var series = Series(
            Form(2016, 1, 10, AssessmentStage.Opening, 5), Form(2016, 6, 1, AssessmentStage.Closing, 2),     // an unrelated earlier treatment
            Form(2017, 11, 1, AssessmentStage.Opening, 20), Form(2018, 3, 1, AssessmentStage.Review, 12), Form(2018, 6, 1, AssessmentStage.Review, 8));

        Compared(series).Should().Be((new DateOnly(2017, 11, 1), new DateOnly(2018, 6, 1)));
    }

    [Fact]
    public void An_episode_opening_within_the_window_after_FS_start_is_compared_and_one_opening_after_it_is_not()
    {
        Compared(Series(Form(2019, 1, 10, AssessmentStage.Opening, 20), Form(2019, 4, 1, AssessmentStage.Review, 10)))
            .Should().Be((new DateOnly(2019, 1, 10), new DateOnly(2019, 4, 1)), "365 days after FS start is inside the window");
        Compared(Series(Form(2019, 1, 11, AssessmentStage.Opening, 20), Form(2019, 4, 1, AssessmentStage.Review, 10)))
            .Should().BeNull("366 days after FS start is outside it");
        Compared(Series(Form(2018, 4, 1, AssessmentStage.Opening, 20), Form(2018, 7, 1, AssessmentStage.Review, 10)), windowDays: 60)
            .Should().BeNull("the window is configurable");
    }

    [Fact]
    public void An_episode_closed_before_FS_start_is_not_compared_but_one_closing_on_the_day_is()
    {
        Compared(Series(Form(2017, 6, 1, AssessmentStage.Opening, 20), Form(2018, 1, 9, AssessmentStage.Closing, 10))).Should().BeNull();
        Compared(Series(Form(2017, 6, 1, AssessmentStage.Opening, 20), Form(2018, 1, 10, AssessmentStage.Closing, 10)))
            .Should().Be((new DateOnly(2017, 6, 1), new DateOnly(2018, 1, 10)));
        Compared(Series(Form(2017, 6, 1, AssessmentStage.Opening, 20), Form(2017, 9, 1, AssessmentStage.Review, 15), Form(2017, 12, 1, AssessmentStage.Opening, 18)))
            .Should().BeNull("an episode never closed ends when the next opens; the next has no later form");
    }

    [Fact]
    public void Forms_of_one_day_are_read_exit_then_start_then_review_whatever_order_they_came_in()
    {
        // The episode open at FS start exits on 1 February; a new one starts the same day.
        var series = Series(
            Form(2018, 2, 1, AssessmentStage.Opening, 18), Form(2018, 2, 1, AssessmentStage.Closing, 11),
            Form(2017, 6, 1, AssessmentStage.Opening, 25), Form(2018, 5, 1, AssessmentStage.Review, 4));

        series.Select(f => f.Stage).Should().Equal(AssessmentStage.Opening, AssessmentStage.Closing, AssessmentStage.Opening, AssessmentStage.Review);
        Compared(series).Should().Be((new DateOnly(2017, 6, 1), new DateOnly(2018, 2, 1)));
        series[Array.FindIndex(series, f => f.Stage == AssessmentStage.Closing)].SubstanceUseDays.Should().Be(11);
    }

    [Fact]
    public void Indicators_12_and_15_compare_within_the_episode_the_rule_picks()
    {
        // The earliest form ever would say "declined" for both (5 → 10 days of use; PHQ9 10 → 12); the episode open at FS start says improved.
        var keys = new PersonKeys(Nhs: "v1:nhs-P", NameDob: "v1:nd-P", Local: "v1:csc-P");
        var index = CohortIndex.Build([new CscPersonRow(keys, "F1", null, 1980, 1, "U", "parent", FsStart, null, "North", false, false, true)]);
        var builder = new LinkedInputsBuilder(index);
        var client = new PersonKeys(Nhs: "v1:nhs-P", Local: "v1:sm-P");
        builder.Add(new TopsFormRow(client, new DateOnly(2016, 2, 1), "start", 5, 10, 10, 10, 0));
        builder.Add(new TopsFormRow(client, new DateOnly(2016, 8, 1), "exit", 2, 12, 10, 10, 0));
        builder.Add(new TopsFormRow(client, new DateOnly(2018, 2, 1), "start", 20, 6, 10, 8, 0));
        builder.Add(new TopsFormRow(client, new DateOnly(2018, 5, 1), "review", 10, 9, 10, 8, 2));
        builder.Add(new MentalHealthScoreRow(new PersonKeys(Nhs: "v1:nhs-P"), "PHQ9", "initial", new DateOnly(2016, 3, 1), 10));
        builder.Add(new MentalHealthScoreRow(new PersonKeys(Nhs: "v1:nhs-P"), "PHQ9", "end", new DateOnly(2016, 6, 1), 8));
        builder.Add(new MentalHealthScoreRow(new PersonKeys(Nhs: "v1:nhs-P"), "PHQ9", "initial", new DateOnly(2017, 12, 1), 20));
        builder.Add(new MentalHealthScoreRow(new PersonKeys(Nhs: "v1:nhs-P"), "PHQ9", "interim", new DateOnly(2018, 4, 1), 12));
        var cohort = new CohortDefinition("W", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31));

        var results = new KpiCalculator(new KpiOptions { Cohorts = [cohort] }).Compute(builder.Build(), [Quarter.Parse("2018Q2")]);

        results.Find("W", "2018Q2", "KPI12", "substance_use_days_change", "change:improved")!.Numerator.Value.Should().Be(1);
        results.Find("W", "2018Q2", "KPI13", "psychological_wellbeing_change", "change:improved")!.Numerator.Value.Should().Be(1);
        results.Find("W", "2018Q2", "KPI15", "phq9_change", "change:improved")!.Numerator.Value.Should().Be(1);
        results.Find("W", "2018Q2", "KPI15", "phq9_change", "change:declined")!.Numerator.Value.Should().Be(0);
    }
}
