using DataHub.Core.Feeds;

namespace DataHub.Core.Tests.Feeds;

/// <summary>The rules of each of the ten feeds, on one sample row with one cell changed.</summary>
public sealed class FeedRuleTests
{
    public static TheoryData<string> Feeds() => new(FeedCatalog.All.Select(f => f.Name));

    [Theory]
    [MemberData(nameof(Feeds))]
    public async Task Accepts_the_valid_sample_row(string feed)
    {
        var result = await FeedSamples.ReadOne(feed, FeedSamples.Line(feed));
        result.Errors.Should().BeNull();
        result.Row!.Line.Should().Be(2);
    }

    [Theory]
    [MemberData(nameof(Feeds))]
    public async Task Rejects_each_empty_required_field_naming_it(string feed)
    {
        foreach (var field in FeedSamples.Contract(feed).Fields.Where(f => f.Required))
        {
            var result = await FeedSamples.ReadOne(feed, FeedSamples.Line(feed, (field.Name, "")));
            FeedSamples.Rules(result).Should().Equal("value.required");
            result.Errors![0].Column.Should().Be(field.Name);
        }
    }

    [Fact]
    public async Task A_row_of_empty_cells_is_skipped_not_reported()
    {
        using var reader = FeedSamples.Open("police-da-incidents", FeedSamples.Csv("police-da-incidents", ",,,,,,,,", FeedSamples.Line("police-da-incidents")));
        var rows = await FeedSamples.ReadAll(reader);
        rows.Should().ContainSingle().Which.Row!.Line.Should().Be(3);
    }

    [Fact]
    public async Task Csc_people_types_its_values()
    {
        var result = await FeedSamples.ReadOne("csc-people", FeedSamples.Line("csc-people", ("uasc", "Yes"), ("fs_end_date", "")));
        FeedSamples.Value(result, "csc-people", "fs_start_date").Should().Be(new DateOnly(2018, 1, 15));
        FeedSamples.Value(result, "csc-people", "fs_end_date").Should().BeNull();
        FeedSamples.Value(result, "csc-people", "previous_referrals").Should().Be(2);
        FeedSamples.Value(result, "csc-people", "uasc").Should().Be(true);
        FeedSamples.Value(result, "csc-people", "worked_with").Should().BeNull();
        FeedSamples.Value(result, "csc-people", "nhs_number").Should().Be(FeedSamples.ValidNhs);
        FeedSamples.Value(result, "csc-people", "date_of_birth").Should().Be(new DateOnly(2010, 5, 4));
    }

    [Theory]
    [InlineData("ethnicity", "XXXX", "code.unknown")]
    [InlineData("referral_category_of_need", "N10", "code.unknown")]
    [InlineData("relationship", "neighbour", "code.unknown")]
    [InlineData("sex", "X", "code.unknown")]
    [InlineData("previous_referrals", "-1", "integer.range")]
    [InlineData("fs_end_date", "2018-01-14", "dates.order")]
    [InlineData("referral_end_date", "2017-11-30", "dates.order")]
    [InlineData("uasc", "maybe", "boolean.format")]
    public async Task Csc_people_rejects_broken_rules(string field, string value, string rule)
    {
        var result = await FeedSamples.ReadOne("csc-people", FeedSamples.Line("csc-people", (field, value)));
        FeedSamples.Rules(result).Should().Equal(rule);
        result.Errors![0].Column.Should().Be(field);
    }

    [Fact]
    public async Task Csc_people_accepts_codes_in_any_case_and_spacing_and_stores_them_as_listed()
    {
        var result = await FeedSamples.ReadOne("csc-people", FeedSamples.Line("csc-people", ("ethnicity", "wbri"), ("relationship", "Active Case"), ("sex", "f")));
        FeedSamples.Value(result, "csc-people", "ethnicity").Should().Be("WBRI");
        FeedSamples.Value(result, "csc-people", "relationship").Should().Be("active_case");
        FeedSamples.Value(result, "csc-people", "sex").Should().Be("F");
    }

    [Theory]
    [InlineData("csc-cp-plans")]
    [InlineData("csc-cla-periods")]
    [InlineData("da-programmes")]
    public async Task End_date_before_start_date_is_rejected(string feed)
    {
        var start = FeedSamples.Rows[feed]["start_date"];
        var before = DateOnly.ParseExact(start, "yyyy-MM-dd").AddDays(-1).ToString("yyyy-MM-dd");
        var result = await FeedSamples.ReadOne(feed, FeedSamples.Line(feed, ("end_date", before)));
        FeedSamples.Rules(result).Should().Equal("dates.order");
        result.Errors![0].Column.Should().Be("end_date");
    }

    [Theory]
    [InlineData("csc-cp-plans")]
    [InlineData("csc-cla-periods")]
    public async Task Open_plans_and_periods_have_no_end_date(string feed)
    {
        var result = await FeedSamples.ReadOne(feed, FeedSamples.Line(feed, ("end_date", "")));
        FeedSamples.Value(result, feed, "end_date").Should().BeNull();
    }

    [Theory]
    [InlineData("role", "witness", "code.unknown")]
    [InlineData("crime", "maybe", "boolean.format")]
    [InlineData("marac_referral", "", "value.required")]
    [InlineData("incident_date", "2017-06-31", "date.impossible")]
    public async Task Police_incidents_reject_broken_rules(string field, string value, string rule)
    {
        var result = await FeedSamples.ReadOne("police-da-incidents", FeedSamples.Line("police-da-incidents", (field, value)));
        FeedSamples.Rules(result).Should().Equal(rule);
    }

    [Fact]
    public async Task Police_incidents_accept_uk_dates_and_word_booleans()
    {
        var result = await FeedSamples.ReadOne("police-da-incidents", FeedSamples.Line("police-da-incidents",
            ("incident_date", "01/06/2017"), ("crime", "true"), ("marac_referral", "No"), ("role", "Perpetrator")));
        FeedSamples.Value(result, "police-da-incidents", "incident_date").Should().Be(new DateOnly(2017, 6, 1));
        FeedSamples.Value(result, "police-da-incidents", "crime").Should().Be(true);
        FeedSamples.Value(result, "police-da-incidents", "marac_referral").Should().Be(false);
        FeedSamples.Value(result, "police-da-incidents", "role").Should().Be("perpetrator");
    }

    [Theory]
    [InlineData("2018Q1", "2018Q1")]
    [InlineData("2018 q1", "2018Q1")]
    [InlineData("2019-Q4", "2019Q4")]
    public async Task Health_aggregates_normalise_the_quarter_label(string label, string stored)
    {
        var result = await FeedSamples.ReadOne("health-aggregates", FeedSamples.Line("health-aggregates", ("quarter", label)));
        FeedSamples.Value(result, "health-aggregates", "quarter").Should().Be(stored);
    }

    [Theory]
    [InlineData("quarter", "2018Q5", "quarter.format")]
    [InlineData("quarter", "Q1 2018", "quarter.format")]
    [InlineData("quarter", "2018-03-31", "quarter.format")]
    [InlineData("people_with_event", "41", "counts.order")]
    [InlineData("events", "5", "counts.order")]
    [InlineData("cohort_people", "-3", "integer.range")]
    [InlineData("measure", "gp_visits", "code.unknown")]
    [InlineData("age_group", "teen", "code.unknown")]
    public async Task Health_aggregates_reject_broken_rules(string field, string value, string rule)
    {
        var result = await FeedSamples.ReadOne("health-aggregates", FeedSamples.Line("health-aggregates", (field, value)));
        FeedSamples.Rules(result).Should().Contain(rule);
    }

    [Theory]
    [InlineData("closure_reason", "finished", "code.unknown")]
    [InlineData("closure_date", "2018-02-28", "dates.order")]
    [InlineData("assessment_outcome", "referred", "code.unknown")]
    [InlineData("forename_initial", "Jo", "initial.format")]
    [InlineData("surname_initial", "5", "initial.format")]
    [InlineData("nhs_number", "9434765918", "nhs.check_digit")]
    public async Task Substance_misuse_episodes_reject_broken_rules(string field, string value, string rule)
    {
        var result = await FeedSamples.ReadOne("substance-misuse-episodes", FeedSamples.Line("substance-misuse-episodes", (field, value)));
        FeedSamples.Rules(result).Should().Contain(rule);
    }

    [Fact]
    public async Task Substance_misuse_episode_closure_reason_needs_a_closure_date()
    {
        var result = await FeedSamples.ReadOne("substance-misuse-episodes", FeedSamples.Line("substance-misuse-episodes", ("closure_date", "")));
        FeedSamples.Rules(result).Should().Equal("closure.reason_without_date");
    }

    [Fact]
    public async Task Substance_misuse_episode_without_nhs_number_or_closure_is_accepted()
    {
        var result = await FeedSamples.ReadOne("substance-misuse-episodes", FeedSamples.Line("substance-misuse-episodes",
            ("nhs_number", ""), ("closure_date", ""), ("closure_reason", ""), ("forename_initial", "j")));
        FeedSamples.Value(result, "substance-misuse-episodes", "nhs_number").Should().BeNull();
        FeedSamples.Value(result, "substance-misuse-episodes", "forename_initial").Should().Be("J");
    }

    [Theory]
    [InlineData("substance_use_days", "29")]
    [InlineData("substance_use_days", "-1")]
    [InlineData("psychological_wellbeing", "21")]
    [InlineData("physical_health", "21")]
    [InlineData("quality_of_life", "25")]
    [InlineData("paid_work_days", "21")]
    public async Task Tops_scores_outside_their_ranges_are_rejected(string field, string value)
    {
        var result = await FeedSamples.ReadOne("substance-misuse-tops", FeedSamples.Line("substance-misuse-tops", (field, value)));
        FeedSamples.Rules(result).Should().Equal("integer.range");
        result.Errors![0].Message.Should().Contain("between 0 and");
    }

    [Fact]
    public async Task Tops_scores_at_the_range_limits_are_accepted()
    {
        var result = await FeedSamples.ReadOne("substance-misuse-tops", FeedSamples.Line("substance-misuse-tops",
            ("substance_use_days", "28"), ("psychological_wellbeing", "20"), ("paid_work_days", "0"), ("stage", "exit")));
        FeedSamples.Value(result, "substance-misuse-tops", "substance_use_days").Should().Be(28);
    }

    [Fact]
    public async Task Tops_stage_outside_the_list_is_rejected()
    {
        var result = await FeedSamples.ReadOne("substance-misuse-tops", FeedSamples.Line("substance-misuse-tops", ("stage", "middle")));
        FeedSamples.Rules(result).Should().Equal("code.unknown");
    }

    [Theory]
    [InlineData("possible_sessions", "-1", "integer.range")]
    [InlineData("authorised_absence_sessions", "-4", "integer.range")]
    [InlineData("unauthorised_absence_sessions", "119", "sessions.sum")]
    [InlineData("period_end", "2017-12-31", "dates.order")]
    [InlineData("upn", "", "value.required")]
    [InlineData("upn", "A801200005001", "upn.check_letter")]
    [InlineData("possible_sessions", "12.5", "integer.format")]
    public async Task School_attendance_rejects_broken_rules(string field, string value, string rule)
    {
        var result = await FeedSamples.ReadOne("school-attendance", FeedSamples.Line("school-attendance", (field, value)));
        FeedSamples.Rules(result).Should().Equal(rule);
    }

    [Fact]
    public async Task School_attendance_accepts_absences_that_use_every_possible_session()
    {
        var result = await FeedSamples.ReadOne("school-attendance", FeedSamples.Line("school-attendance",
            ("authorised_absence_sessions", "100"), ("unauthorised_absence_sessions", "20"), ("upn", "b801200005001")));
        FeedSamples.Value(result, "school-attendance", "upn").Should().Be("B801200005001");
    }

    [Theory]
    [InlineData("outcome", "graduated", "code.unknown")]
    [InlineData("role", "other", "code.unknown")]
    [InlineData("programme", "", "value.required")]
    public async Task Da_programmes_reject_broken_rules(string field, string value, string rule)
    {
        var result = await FeedSamples.ReadOne("da-programmes", FeedSamples.Line("da-programmes", (field, value)));
        FeedSamples.Rules(result).Should().Equal(rule);
    }

    [Theory]
    [InlineData("GAD7", "22", "score.range")]
    [InlineData("PHQ9", "28", "integer.range")]
    [InlineData("GAD7", "-1", "integer.range")]
    public async Task Mental_health_scores_must_fit_their_instrument(string instrument, string score, string rule)
    {
        var result = await FeedSamples.ReadOne("mental-health-scores", FeedSamples.Line("mental-health-scores", ("instrument", instrument), ("score", score)));
        FeedSamples.Rules(result).Should().Equal(rule);
    }

    [Theory]
    [InlineData("phq9", "27")]
    [InlineData("GAD7", "21")]
    public async Task Mental_health_scores_at_the_instrument_maximum_are_accepted(string instrument, string score)
    {
        var result = await FeedSamples.ReadOne("mental-health-scores", FeedSamples.Line("mental-health-scores", ("instrument", instrument), ("score", score)));
        FeedSamples.Value(result, "mental-health-scores", "instrument").Should().Be(instrument.ToUpperInvariant());
    }

    [Fact]
    public async Task Mental_health_stage_outside_the_list_is_rejected()
    {
        var result = await FeedSamples.ReadOne("mental-health-scores", FeedSamples.Line("mental-health-scores", ("stage", "final")));
        FeedSamples.Rules(result).Should().Equal("code.unknown");
    }
}
