using DataHub.Core.Parsing;
using DataHub.Core.Tests.Feeds;

namespace DataHub.Core.Tests.Validation;

/// <summary>Stored free text (references, keys, labels) is kept as written, so the reader refuses a row whose free text
/// carries an NHS number, a UPN, a date that may be a date of birth, or the row's own name; and passes ordinary values.</summary>
public sealed class FreeTextScreenTests
{
    private const string Rule = "text.identifier";

    private static async Task<RowResult> Read(string feed, params (string Field, string Value)[] changes) =>
        await FeedSamples.ReadOne(feed, FeedSamples.Line(feed, changes));

    // The one error: at the row's line, in the field, under the rule, and never repeating the value or a part of it.
    private static void ShouldRefuse(RowResult result, string field, string value, string finding)
    {
        FeedSamples.Rules(result).Should().Equal(Rule);
        var error = result.Errors![0];
        (error.Line, error.Column).Should().Be((2L, field));
        error.Message.Should().Contain(finding);
        error.Message.Should().NotContain(value);
        foreach (var part in value.Split(' ', '-', '/').Where(p => p.Length >= 3 && !field.Contains(p, StringComparison.OrdinalIgnoreCase)))
        {
            error.Message.Should().NotContainEquivalentOf(part);
        }
    }

    [Theory]
    [InlineData(FeedSamples.ValidNhs)]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData("INC/9434765919")]
    [InlineData("REF 12 9434765919")]
    [InlineData("943.476.5919")]
    [InlineData("NHS9434765919")]
    [InlineData("nhs9434765919")]
    [InlineData("INC/NHS943 476 5919")]
    public async Task Refuses_an_nhs_number_in_a_police_incident_id(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("943\u00a0476\u00a05919")]
    [InlineData("INC 943\u202f476\u202f5919")]
    [InlineData("943\u2009476\u20095919")]
    [InlineData("943 476\u00a05919")]
    public async Task Refuses_an_nhs_number_grouped_with_a_no_break_or_thin_space(string incident)
    {
        // What a copy from a web page, Word or Excel's number formats puts between the groups: it reads as a space, and the
        // row was stored with the NHS number in its incident id.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("INC 943\u2011476\u20115919")]
    [InlineData("943\u2013476\u20135919")]
    [InlineData("943\u2014476\u20145919")]
    [InlineData("943\u2212476\u22125919")]
    [InlineData("943\t476\t5919")]
    [InlineData("INC 943\u200b476\u200b5919")]
    [InlineData("943\u00ad476\u00ad5919")]
    public async Task Refuses_an_nhs_number_grouped_with_a_dash_a_tab_or_an_invisible_character(string incident)
    {
        // A no-break hyphen or an en dash (Word's autocorrect, a web page) reads as a hyphen; a tab or a zero-width space
        // as a space or nothing at all: the number reads the same.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19")]
    [InlineData("INC \uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19")]
    [InlineData("\uff19\uff14\uff13\uff0d\uff14\uff17\uff16\uff0d\uff15\uff19\uff11\uff19")]
    [InlineData("943 \uff14\uff17\uff16 5919")]
    [InlineData("\uff2e\uff28\uff339434765919")]
    [InlineData("NHS\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19")]
    public async Task Refuses_an_nhs_number_typed_in_full_width_digits(string incident)
    {
        // A Japanese or Chinese input method types full-width digits (U+FF10 to U+FF19): they read as the same number, and the
        // mart would keep them as written.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669")]
    [InlineData("\u06f9\u06f4\u06f3 \u06f4\u06f7\u06f6 \u06f5\u06f9\u06f1\u06f9")]
    [InlineData("INC \u096f\u096a\u0969\u096a\u096d\u096c\u096b\u096f\u0967\u096f")]
    [InlineData("\U0001D7D7\U0001D7D2\U0001D7D1\U0001D7D2\U0001D7D5\U0001D7D4\U0001D7D3\U0001D7D7\U0001D7CF\U0001D7D7")]
    [InlineData("INC \U0001D7FF\U0001D7FA\U0001D7F9-\U0001D7FA\U0001D7FD\U0001D7FC-\U0001D7FB\U0001D7FF\U0001D7F7\U0001D7FF")]
    public async Task Refuses_an_nhs_number_in_any_decimal_digits(string incident)
    {
        // Arabic-Indic, Persian, Devanagari and mathematical digits are decimal digits too (Unicode Nd): the number reads the same.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("943 - 476 - 5919")]
    [InlineData("INC 943  476  5919")]
    [InlineData("943 \u2013 476 \u2013 5919")]
    [InlineData("(943) 476 5919")]
    [InlineData("(943) 476-5919")]
    [InlineData("[943 476 5919]")]
    public async Task Refuses_an_nhs_number_grouped_with_spaced_dashes_doubled_spaces_or_a_bracketed_first_group(string incident)
    {
        // As a careless hand types it, or as a telephone number is written: the groups are still 3, 3 and 4.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("9434\u200b765919")]
    [InlineData("INC 94\u206034765919")]
    [InlineData("943 47\u00ad6 5919")]
    [InlineData("9434\u200c76\u200d5919")]
    [InlineData("\ufeff943\ufeff4765919")]
    [InlineData("9434\u200b\u2060765919")]
    [InlineData("9434\U000E0020765919")]
    [InlineData("INC 943-4\u200b76-5919")]
    [InlineData("\uff19\uff14\uff13\u200b\uff14\uff17\uff16\uff15\uff19\uff11\uff19")]
    public async Task Refuses_an_nhs_number_with_an_invisible_character_inside_a_digit_group(string incident)
    {
        // A zero-width space, a word joiner, a soft hyphen, a byte order mark or a zero-width (non-)joiner pasted inside a
        // group: nothing shows, and the number reads the same as it would be kept in the mart.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("SW1A 1\u200bAA")]
    [InlineData("DV at B\u206033 8TH")]
    [InlineData("M\u00ad1 1AE")]
    [InlineData("LS1\ufeff1 5QX")]
    public async Task Refuses_a_postcode_with_an_invisible_character_inside_it(string incident)
    {
        // Each part on either side of the character is no postcode of its own (33 8TH, M, 1 1AE): only the whole is.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "postcode");
    }

    [Theory]
    [InlineData("03/0\u200b2/1985")]
    [InlineData("INC 03/02/8\u20605")]
    [InlineData("DOB 03.0\u00ad2.85")]
    [InlineData("1985-0\u200c2-03")]
    public async Task Refuses_a_date_of_birth_with_an_invisible_character_inside_a_number(string incident)
    {
        // The character cuts a number short of a date (03/0, 03/02/8): only the whole, as it shows, is one.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("DA2019\u200b000008")]
    [InlineData("DA2019-00\u200b0008")]
    [InlineData("INC\u200b1234567890")]
    [InlineData("LOG 0452 0\u200b1.06.17")]
    [InlineData("v1.2\u200b.10")]
    [InlineData("CARING\u200bDADS 2")]
    [InlineData("943\u200b/476/5919")]
    public async Task Ordinary_text_with_an_invisible_character_inside_a_number_still_passes(string incident)
    {
        // Skipping what cannot be seen reads a reference as it reads without it; it does not make a reference an identifier,
        // nor the row's own date another date, nor a slash a group separator.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("INC 12/25/2010")]
    [InlineData("2/29/2012")]
    [InlineData("DOB 12-25-2010")]
    [InlineData("INC 12/25/10")]
    [InlineData("02/13/85")]
    [InlineData("12\u200b/25/2010")]
    public async Task Refuses_a_date_of_birth_written_month_first(string incident)
    {
        // A US-written date whose day is over 12 reads only month first: 12/25/2010 is 25 December 2010.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("LOG 05/31/17")]
    [InlineData("LOG 05/31/2017")]
    [InlineData("12.25.10")]
    [InlineData("INC 10.15.30")]
    [InlineData("2/30/2012")]
    [InlineData("2/29/2013")]
    [InlineData("INC 12/34/2010")]
    public async Task The_rows_own_date_month_first_and_times_with_full_stops_and_impossible_days_pass(string incident)
    {
        // 31 May 2017 is within three days of the incident (1 June 2017); a month-first date is written with slashes or
        // hyphens, not full stops (12.25.10 is a time, 12:25:10); 30 February and 29 February 2013 are no days.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("DOB 3.02.85")]
    [InlineData("INC 03.2.85")]
    [InlineData("3.02.1985")]
    [InlineData("03.2.1985")]
    public async Task Refuses_a_date_of_birth_with_full_stops_and_a_day_or_month_written_with_a_leading_zero(string incident)
    {
        // A version's parts are not written with a leading zero (1.2.10); a date's are, even when the other part is not.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("3.2.85")]
    [InlineData("INC 10.2.85")]
    [InlineData("LOG 0452 01.6.17")]
    public async Task A_date_with_full_stops_and_a_two_digit_year_without_two_digit_or_zero_padded_parts_passes(string incident)
    {
        // As docs/validation.md says: 3.2.85 cannot be told from a version (DRIVE 2.1.15, CLA 4.5.10), so it passes; and the
        // row's own date (1 June 2017) passes however it is padded.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("INC 943/476/5919")]
    [InlineData("INC 943_476_5919")]
    [InlineData("943/476/5919")]
    public async Task Digit_groups_joined_by_a_slash_or_an_underscore_are_not_read_as_an_nhs_number(string incident)
    {
        // As docs/validation.md says: a slash or an underscore joins the parts of a reference (DOM/12345/21), not an NHS
        // number's groups, so widening the separators must stop short of every punctuation mark.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("DV at SW1A\t1AA")]
    [InlineData("M1\u200b1AE")]
    public async Task Refuses_a_postcode_spaced_with_a_tab_or_an_invisible_character(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "postcode");
    }

    [Theory]
    [InlineData("\uff33\uff37\uff11\uff21 \uff11\uff21\uff21")]
    [InlineData("DV at \uff33\uff37\uff11\uff21\u3000\uff11\uff21\uff21")]
    [InlineData("\uff2d\uff11 \uff11\uff21\uff25")]
    public async Task Refuses_a_postcode_in_full_width_characters(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "postcode");
    }

    [Theory]
    [InlineData("DV at SW1A  1AA")]
    [InlineData("M1 \u00a0 1AE")]
    public async Task Refuses_a_postcode_spaced_by_more_than_one_space(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "postcode");
    }

    [Fact]
    public async Task Refuses_a_upn_typed_in_full_width_characters()
    {
        var value = "KEY \uff22\uff18\uff10\uff11\uff12\uff10\uff10\uff10\uff10\uff15\uff10\uff10\uff11";
        ShouldRefuse(await Read("csc-people", ("family_key", value)), "family_key", value, "UPN");
    }

    [Theory]
    [InlineData("police-da-incidents", "incident_id", "INC \uff10\uff13/\uff10\uff12/\uff11\uff19\uff18\uff15")]
    [InlineData("police-da-incidents", "incident_id", "\uff10\uff13\uff0f\uff10\uff12\uff0f\uff11\uff19\uff18\uff15")]
    [InlineData("da-programmes", "programme", "Freedom \u0660\u0663/\u0660\u0662/\u0661\u0669\u0668\u0665")]
    public async Task Refuses_a_date_of_birth_in_full_width_or_other_decimal_digits(string feed, string field, string value)
    {
        ShouldRefuse(await Read(feed, (field, value)), field, value, "date");
    }

    [Theory]
    [InlineData("police-da-incidents", "incident_id", "INC 03/02/85")]
    [InlineData("police-da-incidents", "incident_id", "3/2/85")]
    [InlineData("police-da-incidents", "incident_id", "DOB 3-2-85")]
    [InlineData("police-da-incidents", "incident_id", "INC 03.02.85")]
    [InlineData("police-da-incidents", "incident_id", "INC 03/07/14")]
    [InlineData("police-da-incidents", "incident_id", "3-7-14")]
    [InlineData("police-da-incidents", "incident_id", "DA 29/02/00")]
    [InlineData("da-programmes", "programme", "Freedom Programme 03/02/85")]
    [InlineData("csc-cla-periods", "period_key", "CLA 04.05.10")]
    public async Task Refuses_a_date_of_birth_with_a_two_digit_year(string feed, string field, string value)
    {
        // How a date of birth is most often typed by hand: day, month and a two-digit year, one separator throughout.
        ShouldRefuse(await Read(feed, (field, value)), field, value, "date");
    }

    [Theory]
    [InlineData("Score 3/7")]
    [InlineData("10-12")]
    [InlineData("INC 12/34/56")]
    [InlineData("INC-12-34-56")]
    [InlineData("LOG 0452 01/06/17")]
    [InlineData("LOG 0452 1.6.17")]
    [InlineData("29/02/01")]
    [InlineData("10.1.12.5")]
    [InlineData("5.10.1.12")]
    [InlineData("REF 10/1/23/19")]
    [InlineData("DOM/12/05/213")]
    [InlineData("12/05/2")]
    [InlineData("2021-22 Q1")]
    public async Task Numbers_and_ratios_and_the_rows_own_date_with_a_two_digit_year_pass(string incident)
    {
        // A score or a range has two parts; a day over 31, a month over 12 or 29 February of a year that is not leap in
        // either century is no date; a chain of more than three numbers is a version or an address, not a date; and the
        // incident's own date (1 June 2017) with a two-digit year tells nothing new.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("17/06/01")]
    [InlineData("DA 17-06-01 0001")]
    [InlineData("17.06.01")]
    [InlineData("LOG 0452 06/01/17")]
    [InlineData("LOG 0452 06/01/2017")]
    public async Task The_rows_own_date_written_year_first_or_month_first_with_a_two_digit_year_passes(string incident)
    {
        // The incident is on 1 June 2017: 17/06/01 also reads as 17 June 2001 and 06/01/17 as 6 January 2017, but one of its
        // readings is the row's own stored date, so it tells nothing new. Refusing it refused a force's every row.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("Log 0452 of 02/06/17")]
    [InlineData("Log 0452 of 02/06/2017")]
    [InlineData("LOG 31/05/17")]
    [InlineData("LOG 04.06.17")]
    public async Task A_date_within_three_days_of_the_rows_own_date_passes(string incident)
    {
        // A police log dated the day after the incident (1 June 2017) it records: a date of birth is almost never that close.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("Log 0452 of 05/06/17")]
    [InlineData("LOG 28/05/2017")]
    [InlineData("85-02-03")]
    [InlineData("DOB 85.02.03")]
    public async Task Refuses_a_date_four_days_from_the_rows_own_date_or_a_birth_date_written_year_first(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("v1.2.10")]
    [InlineData("DRIVE 2.1.15")]
    [InlineData("CLA 4.5.10")]
    [InlineData("V10.02.15")]
    [InlineData("build v3-2-10")]
    public async Task A_version_number_passes(string incident)
    {
        // A hand-typed date of birth with full stops has two-digit days and months (03.02.85); a version does not, or follows a v.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("10.05.30")]
    [InlineData("INC 09.12.45")]
    [InlineData("1-2-34")]
    [InlineData("Score 3-1-12")]
    [InlineData("DOB03.02.85")]
    [InlineData("DOB03/02/85")]
    [InlineData("INC 9.05.30")]
    public async Task A_time_or_score_that_reads_as_a_date_of_birth_is_refused(string incident)
    {
        // As docs/validation.md says: 09.12.45 is a time and 9 December 1945, 3-1-12 a score and a child born on 3 January
        // 2012; nothing in the text tells them apart, and passing them would pass most children's dates of birth typed so.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("03\u200b/02/85")]
    [InlineData("03\u200b/02/1985")]
    [InlineData("03 / 02 / 85")]
    [InlineData("INC 03 / 02 / 1985")]
    [InlineData("03\u201302\u201385")]
    [InlineData("DOB 03 \u2013 02 \u2013 1985")]
    [InlineData("03\u221502\u221585")]
    public async Task Refuses_a_date_with_spaces_or_an_invisible_character_around_its_separator_or_an_en_dash(string incident)
    {
        // What a copy from Word or a web page makes of 03/02/85: it reads the same.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("INC 12/05-21")]
    [InlineData("INC 03 02 85")]
    [InlineData("DA2019-1-12")]
    public async Task Numbers_joined_by_different_marks_or_only_spaces_or_a_year_and_serials_are_not_a_date(string incident)
    {
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("(943)   476 5919")]
    [InlineData("(943)476 5919")]
    [InlineData("943\u00b7476\u00b75919")]
    [InlineData("INC 943 \u00b7 476 \u00b7 5919")]
    public async Task Refuses_an_nhs_number_with_a_bracketed_first_group_and_spaces_or_middle_dots(string incident)
    {
        // The bracket does not count against the three separators a careless hand puts between the groups (943   476 5919 is
        // refused), and a middle dot reads as a full stop.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "NHS number");
    }

    [Theory]
    [InlineData("SW1A-1AA")]
    [InlineData("DV at M1 \u2013 1AE")]
    public async Task Refuses_a_postcode_joined_by_a_dash(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "postcode");
    }

    [Fact]
    public async Task Refuses_the_rows_own_surname_typed_in_full_width_letters()
    {
        var incident = "INC \uff33\uff2d\uff29\uff34\uff28 1";
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("INC\u00a0SMITH 1")]
    [InlineData("INC\u2009SMITH")]
    [InlineData("INC\u2013SMITH-7")]
    [InlineData("INC\u3000SMITH")]
    [InlineData("INC\u202fsmith\u00a07")]
    public async Task Refuses_the_rows_own_surname_set_apart_by_a_no_break_thin_or_ideographic_space_or_an_en_dash(string incident)
    {
        // A copy from Word or a web page spaces words so: SMITH reads as a word of its own, as it does after a space.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("DV at SW1A\u00a01AA")]
    [InlineData("M1\u202f1AE")]
    public async Task Refuses_a_postcode_spaced_with_a_no_break_or_thin_space(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "postcode");
    }

    [Theory]
    [InlineData("csc-cp-plans", "plan_key")]
    [InlineData("csc-people", "family_key")]
    [InlineData("school-attendance", "school_urn")]
    public async Task Refuses_a_upn_in_a_key(string feed, string field)
    {
        var value = "KEY " + FeedSamples.ValidUpn;
        ShouldRefuse(await Read(feed, (field, value)), field, value, "UPN");
    }

    [Fact]
    public async Task Refuses_a_upn_written_straight_after_its_label()
    {
        var value = "UPN" + FeedSamples.ValidUpn;
        ShouldRefuse(await Read("csc-people", ("family_key", value)), "family_key", value, "UPN");
    }

    [Theory]
    [InlineData("police-da-incidents", "incident_id", "INC905 ZZ99 3QX")]
    [InlineData("police-da-incidents", "incident_id", "DV at SW1A 1AA")]
    [InlineData("police-da-incidents", "incident_id", "M1 1AE-3")]
    [InlineData("csc-people", "family_key", "FAM/b33 8th")]
    [InlineData("da-programmes", "programme", "Freedom Programme LS11 5QX")]
    public async Task Refuses_a_postcode_in_a_free_text_field(string feed, string field, string value)
    {
        // No feed has an address field: a postcode in a reference or a label is where someone lives.
        ShouldRefuse(await Read(feed, (field, value)), field, value, "postcode");
    }

    [Theory]
    [InlineData("police-da-incidents", "incident_id", "INC 03/02/1985")]
    [InlineData("police-da-incidents", "incident_id", "3/2/1985")]
    [InlineData("police-da-incidents", "incident_id", "DA-1985-02-03")]
    [InlineData("da-programmes", "programme", "Freedom Programme 03/02/1985")]
    [InlineData("csc-cla-periods", "period_key", "2010-05-04")]
    [InlineData("police-da-incidents", "incident_id", "INC 03-02-1985")]
    [InlineData("police-da-incidents", "incident_id", "INC 03.02.1985")]
    [InlineData("police-da-incidents", "incident_id", "DOB 3-2-1985")]
    [InlineData("da-programmes", "programme", "Freedom Programme 3.2.1985")]
    [InlineData("csc-cla-periods", "period_key", "1985/02/03")]
    [InlineData("csc-cla-periods", "period_key", "1985.02.03")]
    public async Task Refuses_a_date_of_birth_in_a_free_text_field(string feed, string field, string value)
    {
        ShouldRefuse(await Read(feed, (field, value)), field, value, "date");
    }

    [Theory]
    [InlineData("Smith", "SMITH-0001")]
    [InlineData("Smith", "inc smith 1")]
    [InlineData("O'Brien", "OBRIEN2021")]
    [InlineData("O'Brien", "O BRIEN 7")]
    [InlineData("Smith-Jones", "SMITH 44")]
    [InlineData("Smith-Jones", "SMITHJONES-44")]
    [InlineData("Núñez", "NUNEZ/7")]
    public async Task Refuses_the_rows_own_surname_in_a_reference(string surname, string incident)
    {
        var result = await Read("police-da-incidents", ("surname", surname), ("incident_id", incident));
        ShouldRefuse(result, "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("police-da-incidents", "incident_id", "INC911 JANESMITH")]
    [InlineData("police-da-incidents", "incident_id", "smithjane-7")]
    [InlineData("da-programmes", "programme", "Freedom JaneSmith")]
    public async Task Refuses_the_rows_own_forename_and_surname_run_together(string feed, string field, string value)
    {
        // The row is Jane Smith: neither name stands as a word of its own, the two together do.
        ShouldRefuse(await Read(feed, (field, value)), field, value, "forename and surname");
    }

    [Fact]
    public async Task Refuses_the_rows_own_forename_in_a_key()
    {
        var result = await Read("csc-people", ("forename", "Mary Amelie"), ("referral_key", "R1 AMELIE"));
        ShouldRefuse(result, "referral_key", "R1 AMELIE", "forename");
    }

    [Fact]
    public async Task Refuses_a_name_in_a_label_only_with_both_forename_and_surname()
    {
        // A team or programme label is shared by many people: its words may be someone's surname (a North team, a Ms North).
        var surnameOnly = await Read("csc-people", ("surname", "North"), ("fs_team", "North"));
        FeedSamples.Value(surnameOnly, "csc-people", "fs_team").Should().Be("North");

        var both = await Read("da-programmes", ("programme", "Smith Jane"));
        ShouldRefuse(both, "programme", "Smith Jane", "forename and surname");
    }

    [Theory]
    [InlineData("DA2021-0001234")]
    [InlineData("DA2016-000001")]
    [InlineData("DA2019-000008")]
    [InlineData("DA2019000008")]
    [InlineData("INC1")]
    [InlineData("1234567890")]
    [InlineData("98765432101")]
    [InlineData("LOG 0452 01/06/2017")]
    [InlineData("2017-06-01/3")]
    [InlineData("CARING-SMITHSON-2")]
    [InlineData("DOM/12345/21")]
    [InlineData("INC-12-34-5678")]
    [InlineData("LOG 01.06.2017")]
    [InlineData("01-06-2017/3")]
    [InlineData("NHS-TRUST-7")]
    [InlineData("UPN-REQUEST-2")]
    [InlineData("DA2019 1234")]
    [InlineData("A1 23")]
    [InlineData("INC1 2AB")]
    [InlineData("B2B 1AAA")]
    public async Task Ordinary_incident_ids_pass(string incident)
    {
        // The row is Jane Smith, born 1985-02-03, in an incident on 2017-06-01: the incident's own date tells nothing new.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("csc-people", "family_key", "FAM00001")]
    [InlineData("csc-people", "referral_key", "FAM00001-R1")]
    [InlineData("csc-cp-plans", "plan_key", "CPL00001-1")]
    [InlineData("csc-cla-periods", "period_key", "CLA00002-1")]
    [InlineData("school-attendance", "school_urn", "100000")]
    [InlineData("da-programmes", "programme", "Building Better Relationships")]
    [InlineData("da-programmes", "programme", "Caring Dads")]
    [InlineData("da-programmes", "programme", "Step 2 Recovery")]
    [InlineData("health-aggregates", "cohort", "FS from 2017-10-01")]
    public async Task Ordinary_keys_and_programme_names_pass(string feed, string field, string value)
    {
        FeedSamples.Value(await Read(feed, (field, value)), feed, field).Should().Be(value);
    }

    [Fact]
    public async Task Names_shorter_than_three_letters_are_not_looked_for()
    {
        var result = await Read("police-da-incidents", ("forename", "Jo"), ("surname", "Li"), ("incident_id", "LI-JO-1"));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be("LI-JO-1");
    }

    [Fact]
    public async Task An_aggregate_feed_is_still_screened_for_nhs_numbers()
    {
        ShouldRefuse(await Read("health-aggregates", ("cohort", "943 476 5919")), "cohort", "943 476 5919", "NHS number");
    }

    [Fact]
    public async Task The_rule_is_reported_beside_the_rows_other_errors()
    {
        var result = await Read("police-da-incidents", ("incident_id", "SMITH 1"), ("role", "bystander"));
        FeedSamples.Rules(result).Should().BeEquivalentTo(["code.unknown", Rule]);
    }

    [Theory]
    [InlineData("MARAC 1/14/2019/3")]
    [InlineData("REF 10/1/23/2019")]
    [InlineData("5.10.1.2012")]
    [InlineData("1.12.2019.5")]
    [InlineData("REF 2012-10-01-4")]
    [InlineData("DOB 03/02/1985/1")]
    [InlineData("ID 5/03/02/1986")]
    [InlineData("CASE 123-03-02-1986")]
    [InlineData("REF 2019-03-02-1986")]
    [InlineData("1986-02-03-4")]
    public async Task Refuses_a_four_digit_year_date_that_is_a_link_in_a_chain_of_numbers(string incident)
    {
        // Only a two-digit-year reading is excused for being a link in a chain (10.1.12.5): a four-digit year is a date
        // whatever number is written beside it, as 03/02/1985 with a /1 after it is a date of birth.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("DOB 03.02.1986. 2 siblings")]
    [InlineData("DOB 03-02-1986 - 2nd")]
    [InlineData("DOB 03/02/1986 /2")]
    [InlineData("Visit 4. 03.02.1986")]
    [InlineData("DOB 03.02.86. 2 siblings")]
    public async Task Refuses_a_date_beside_a_number_that_a_blank_parts_from_it(string incident)
    {
        // A chain's links are joined by the bare mark, a digit right beside it (10.1.12.5): a sentence's full stop, a space
        // and a number (03.02.86. 2 siblings) end the date, they do not chain it.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("6/1/17")]
    [InlineData("LOG 6-1-17")]
    [InlineData("DOB 06.01.17")]
    public async Task Refuses_a_two_digit_year_date_whose_month_first_reading_is_the_rows_own_date_but_not_read(string incident)
    {
        // 6/1/17 is 6 January 2017 read day first; month first it would be 1 June 2017, the incident's date, but with a
        // one-digit month and day a two-digit-year date is not read month first, so that reading does not excuse it.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("3/15/20")]
    [InlineData("SEC 47 2/14/19")]
    [InlineData("KS2 4-15-20")]
    [InlineData("2/29/12")]
    [InlineData("1-13-20")]
    public async Task A_two_digit_year_date_whose_month_and_day_are_not_both_written_with_two_digits_is_not_read_month_first(string incident)
    {
        // 3/15/20 is as often a section, a key stage or a score as a US date: with a two-digit year a month-first reading is
        // taken only when month and day are both written with two digits (12/25/10), as a system writes a date.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("CR/3/14/2021")]
    [InlineData("DA/1/23/2019")]
    [InlineData("11-16-18")]
    [InlineData("INC 10-15-30")]
    [InlineData("09/13/85")]
    public async Task Refuses_a_month_first_date_with_a_four_digit_year_or_a_two_digit_month_and_day(string incident)
    {
        // A four-digit year, or two digits each, is how a system writes a date: 11-16-18 is 16 November 2018 (or a tally).
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("LOG 05/29/17")]
    [InlineData("LOG 06/04/2017")]
    public async Task A_month_first_date_three_days_from_the_rows_own_date_passes(string incident)
    {
        // 29 May and 4 June 2017 are three days either side of the incident, 1 June 2017.
        var result = await Read("police-da-incidents", ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Theory]
    [InlineData("LOG 05/28/17")]
    [InlineData("LOG 06/05/2017")]
    public async Task Refuses_a_month_first_date_four_days_from_the_rows_own_date(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "date");
    }

    [Theory]
    [InlineData("SMITH\u2019S SON")]
    [InlineData("SMITH\u2018S")]
    [InlineData("INC\u00b7SMITH")]
    [InlineData("INC\u2022SMITH")]
    [InlineData("INC\u2212SMITH")]
    [InlineData("INC\u3164SMITH")]
    [InlineData("MRS SMITH'S SON")]
    public async Task Refuses_the_rows_own_surname_beside_a_curly_apostrophe_a_dot_a_bullet_a_minus_or_a_blank(string incident)
    {
        // Only a letter, a mark or an invisible format character joins a word: a curly apostrophe, a middle dot, a bullet or
        // the minus sign ends it as the ASCII apostrophe does, and a Hangul filler shows as a blank.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("O\u2019Brien", "O\u2019BRIEN 7")]
    [InlineData("O\u2019Brien", "OBRIEN2021")]
    [InlineData("O\u2019Brien", "O'BRIEN 7")]
    [InlineData("O'Brien", "O\u2019BRIEN 7")]
    public async Task Refuses_a_surname_with_a_curly_apostrophe_as_one_with_a_straight_one(string surname, string incident)
    {
        var result = await Read("police-da-incidents", ("surname", surname), ("incident_id", incident));
        ShouldRefuse(result, "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("O\u2019Brien-Smith", "OBRIEN 7")]
    [InlineData("O'Brien-Smith", "OBRIEN 7")]
    [InlineData("O'Brien-Smith", "INC BRIENSMITH")]
    [InlineData("Van der Berg", "VANDER 2")]
    public async Task Refuses_two_consecutive_words_of_a_surname_run_together(string surname, string incident)
    {
        // O'Brien-Smith folds to the words O, BRIEN and SMITH: OBRIEN is two of them run together, as the surname is written,
        // though neither the whole name run together (OBRIENSMITH) nor any one word of three letters or more.
        var result = await Read("police-da-incidents", ("surname", surname), ("incident_id", incident));
        ShouldRefuse(result, "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("De La Cruz", "INC DELA 1")]
    [InlineData("Al So Ng", "INC ALSO")]
    public async Task Passes_a_run_of_a_surnames_short_words_only(string surname, string incident)
    {
        // Words under three letters are not looked for alone, nor run together with no longer word among them: DELA and ALSO
        // are ordinary text more often than a name.
        var result = await Read("police-da-incidents", ("surname", surname), ("incident_id", incident));
        FeedSamples.Value(result, "police-da-incidents", "incident_id").Should().Be(incident);
    }

    [Fact]
    public async Task Refuses_a_surname_of_more_than_four_words_run_together_whole()
    {
        // Runs of words are looked for up to four at a time; the whole name run together is looked for whatever its length.
        var result = await Read("police-da-incidents", ("surname", "De La Mare Van Dyke"), ("incident_id", "INC DELAMAREVANDYKE"));
        ShouldRefuse(result, "incident_id", "INC DELAMAREVANDYKE", "surname");
    }

    [Fact]
    public async Task Finds_a_surnames_words_in_a_name_field_of_many_words()
    {
        // A notes column shifted into the surname: runs of up to four consecutive words are looked for, so one of its words
        // is still found, while the work stays linear in the field.
        var surname = string.Join(' ', Enumerable.Range(0, 120).Select(i => i == 60 ? "Quillfeather" : "ab"));
        var result = await Read("police-da-incidents", ("surname", surname), ("incident_id", "INC QUILLFEATHER 2"));
        ShouldRefuse(result, "incident_id", "INC QUILLFEATHER 2", "surname");
    }

    [Fact]
    public async Task Refuses_a_upn_with_an_invisible_character_inside_it()
    {
        var value = "KEY B80120000\u200b5001";
        ShouldRefuse(await Read("csc-people", ("family_key", value)), "family_key", value, "UPN");
    }

    [Theory]
    [InlineData("SM\u200bITH 1")]
    [InlineData("S\u00adMITH")]
    public async Task Refuses_the_rows_own_surname_with_an_invisible_character_inside_it(string incident)
    {
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, "surname");
    }

    [Theory]
    [InlineData("943 \u200b\u200b\u200b476 5919", "NHS number")]
    [InlineData("943\u200b\u200b \u200b476 5919", "NHS number")]
    [InlineData("03\u200b\u200b/\u200b\u200b02/85", "date")]
    [InlineData("SW1A\u200b\u200b \u200b\u200b1AA", "postcode")]
    public async Task Refuses_an_identifier_with_a_run_of_invisible_characters_beside_a_separator(string incident, string finding)
    {
        // The second reading leaves out every invisible character, not only one between two letters or digits: what shows is
        // 943 476 5919, 03/02/85 and SW1A 1AA.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, finding);
    }

    [Theory]
    [InlineData("9434\u034f765919", "NHS number")]
    [InlineData("9434\ufe0f765919", "NHS number")]
    [InlineData("9434\U000E0100765919", "NHS number")]
    [InlineData("943\u3164476\u31645919", "NHS number")]
    [InlineData("9434\u180b765919", "NHS number")]
    [InlineData("SW1A\u034f1AA", "postcode")]
    [InlineData("SW1A\uffa01AA", "postcode")]
    [InlineData("03\u17b4/02/85", "date")]
    [InlineData("03/02\ufe00/85", "date")]
    public async Task Refuses_an_identifier_with_an_invisible_character_that_is_not_a_format_character(string incident, string finding)
    {
        // A combining grapheme joiner, a variation selector, a Khmer or Mongolian invisible or a Hangul filler shows as nothing
        // (or a blank) as a zero-width space does, though Unicode files them as marks or letters, not format characters.
        ShouldRefuse(await Read("police-da-incidents", ("incident_id", incident)), "incident_id", incident, finding);
    }
}
