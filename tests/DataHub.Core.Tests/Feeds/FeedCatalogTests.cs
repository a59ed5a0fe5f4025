using System.Text.RegularExpressions;
using DataHub.Core.Feeds;

namespace DataHub.Core.Tests.Feeds;

public sealed class FeedCatalogTests
{
    [Fact]
    public void Catalog_has_the_ten_feeds_of_the_spec_in_order()
    {
        FeedCatalog.All.Select(f => f.Name).Should().Equal(
            "csc-people", "csc-cp-plans", "csc-cla-periods", "police-da-incidents", "health-aggregates",
            "substance-misuse-episodes", "substance-misuse-tops", "school-attendance", "da-programmes", "mental-health-scores");
    }

    [Fact]
    public void Every_field_name_is_unique_snake_case_within_its_feed()
    {
        foreach (var feed in FeedCatalog.All)
        {
            feed.Fields.Select(f => f.Name).Should().OnlyHaveUniqueItems(feed.Name);
            feed.Fields.Should().OnlyContain(f => Regex.IsMatch(f.Name, "^[a-z][a-z0-9_]*$"), feed.Name);
        }
    }

    [Theory]
    [InlineData("csc-people", "fs_start_date")]
    [InlineData("csc-cp-plans", "start_date")]
    [InlineData("csc-cla-periods", "start_date")]
    [InlineData("police-da-incidents", "incident_date")]
    [InlineData("substance-misuse-episodes", "assessment_date")]
    [InlineData("substance-misuse-tops", "form_date")]
    [InlineData("school-attendance", "period_end")]
    [InlineData("da-programmes", "start_date")]
    [InlineData("mental-health-scores", "score_date")]
    public void Quarter_field_is_a_required_stored_date(string feed, string field)
    {
        var contract = FeedSamples.Contract(feed);
        contract.QuarterField.Should().Be(field);
        var spec = contract.Find(field)!;
        spec.Type.Should().Be(FieldType.Date);
        spec.Handling.Should().Be(FieldHandling.Stored);
        spec.Required.Should().BeTrue();
    }

    [Fact]
    public void Health_aggregates_carries_its_own_quarter_and_no_person_data()
    {
        var contract = FeedSamples.Contract("health-aggregates");
        contract.QuarterField.Should().BeNull();
        contract.PersonLevel.Should().BeFalse();
        contract.Find("quarter").Should().NotBeNull();
        contract.Fields.Should().OnlyContain(f => f.Identity == IdentityPart.None && f.Handling == FieldHandling.Stored);
    }

    [Fact]
    public void Csc_people_carries_every_identity_part_for_the_cohort()
    {
        var parts = FeedSamples.Contract("csc-people").Fields.Select(f => f.Identity).Where(p => p != IdentityPart.None);
        parts.Should().BeEquivalentTo(new[]
        {
            IdentityPart.LocalId, IdentityPart.NhsNumber, IdentityPart.Upn, IdentityPart.Forename, IdentityPart.Surname,
            IdentityPart.DateOfBirth, IdentityPart.Sex,
        });
    }

    [Theory]
    [InlineData("police-da-incidents", new[] { IdentityPart.Forename, IdentityPart.Surname, IdentityPart.DateOfBirth, IdentityPart.Sex })]
    [InlineData("substance-misuse-episodes", new[] { IdentityPart.LocalId, IdentityPart.ForenameInitial, IdentityPart.SurnameInitial, IdentityPart.DateOfBirth, IdentityPart.Sex, IdentityPart.NhsNumber })]
    [InlineData("school-attendance", new[] { IdentityPart.Upn, IdentityPart.Forename, IdentityPart.Surname, IdentityPart.DateOfBirth })]
    [InlineData("csc-cp-plans", new[] { IdentityPart.LocalId })]
    public void Identity_parts_follow_the_spec(string feed, IdentityPart[] expected)
    {
        FeedSamples.Contract(feed).Fields.Select(f => f.Identity).Where(p => p != IdentityPart.None).Should().BeEquivalentTo(expected);
    }

    [Fact]
    public void Identifiers_and_names_are_never_stored_and_date_of_birth_is_an_identifier()
    {
        foreach (var field in FeedCatalog.All.SelectMany(f => f.Fields))
        {
            switch (field.Identity)
            {
                case IdentityPart.NhsNumber or IdentityPart.Upn or IdentityPart.LocalId or IdentityPart.DateOfBirth:
                    field.Handling.Should().Be(FieldHandling.Identifier, field.Name);
                    break;
                case IdentityPart.Forename or IdentityPart.Surname or IdentityPart.ForenameInitial or IdentityPart.SurnameInitial:
                    field.Handling.Should().Be(FieldHandling.Drop, field.Name);
                    break;
                case IdentityPart.Sex:
                    field.Handling.Should().Be(FieldHandling.Stored, field.Name);
                    break;
            }
        }
    }

    [Fact]
    public void Find_is_case_insensitive_and_unknown_feeds_give_null()
    {
        FeedCatalog.Find("POLICE-DA-INCIDENTS")!.Name.Should().Be("police-da-incidents");
        FeedCatalog.Find("police").Should().BeNull();
    }

    [Theory]
    [InlineData("Date Of Birth")]
    [InlineData("DATE-OF-BIRTH")]
    [InlineData("dateofbirth")]
    [InlineData(" date_of_birth ")]
    public void Header_matches_ignoring_case_spaces_hyphens_and_underscores(string header)
    {
        HeaderMatcher.Match(FeedSamples.Contract("police-da-incidents"), header)!.Name.Should().Be("date_of_birth");
    }

    [Fact]
    public void Header_that_names_no_field_does_not_match()
    {
        HeaderMatcher.Match(FeedSamples.Contract("police-da-incidents"), "birth date").Should().BeNull();
    }

    [Fact]
    public void Reference_lists_are_embedded_and_shared_with_the_contracts()
    {
        ReferenceLists.Ethnicity.Should().HaveCount(20).And.Contain(c => c.Code == "WBRI");
        ReferenceLists.CategoryOfNeed.Select(c => c.Code).Should().Equal("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9");
        ReferenceLists.CompletedClosureReasons.Should().OnlyContain(c => c.StartsWith("treatment_completed", StringComparison.Ordinal)).And.HaveCount(3);
        FeedSamples.Contract("csc-people").Find("ethnicity")!.AllowedValues.Should().Equal(ReferenceLists.Codes(ReferenceLists.Ethnicity));
        FeedSamples.Contract("substance-misuse-episodes").Find("closure_reason")!.AllowedValues.Should().Equal(ReferenceLists.Codes(ReferenceLists.ClosureReasons));
    }

    [Fact]
    public void Reference_lists_are_read_with_each_code_s_label_and_completion_flag()
    {
        ReferenceLists.Ethnicity[0].Should().Be(new ReferenceCode("WBRI", "White British"));
        ReferenceLists.CategoryOfNeed[1].Label.Should().Be("Child's disability");
        ReferenceLists.ClosureReasons.Should().HaveCount(12);
        ReferenceLists.ClosureReasons[2].Should().Be(new ReferenceCode("treatment_completed_occasional_user", "Treatment completed - occasional user (not opiates or crack)", true));
        ReferenceLists.ClosureReasons[3].Should().Be(new ReferenceCode("transferred_not_in_custody", "Transferred - not in custody", false));
    }
}
