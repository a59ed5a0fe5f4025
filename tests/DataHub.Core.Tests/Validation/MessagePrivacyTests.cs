using DataHub.Core.Feeds;
using DataHub.Core.Tests.Feeds;

namespace DataHub.Core.Tests.Validation;

/// <summary>Row error messages name the field and rule, never the value of an identifier or dropped field.</summary>
public sealed class MessagePrivacyTests
{
    public static TheoryData<string, string, string> BadIdentityValues() => new()
    {
        { "csc-people", "person_id", "" },
        { "csc-people", "nhs_number", "1234567890123" },
        { "csc-people", "upn", "ZZ12345678901" },
        { "csc-people", "date_of_birth", "31/02/2011" },
        { "csc-people", "date_of_birth", "1900-01-32" },
        { "police-da-incidents", "date_of_birth", "Smythe1985" },
        { "substance-misuse-tops", "forename_initial", "Jonathan" },
        { "substance-misuse-tops", "surname_initial", "Quixote" },
        { "mental-health-scores", "nhs_number", "485 777 3456" },
        { "school-attendance", "upn", "K123456789012" },
    };

    [Theory]
    [MemberData(nameof(BadIdentityValues))]
    public async Task Messages_about_identifiers_never_contain_the_value(string feed, string field, string value)
    {
        var result = await FeedSamples.ReadOne(feed, FeedSamples.Line(feed, (field, value)));
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Column.Should().Be(field);
        if (value.Length > 0)
        {
            error.Message.Should().NotContain(value);
            foreach (var part in value.Split(' ', '/', '-').Where(p => p.Length >= 3))
            {
                error.Message.Should().NotContain(part);
            }
        }
    }

    [Fact]
    public async Task Messages_about_safe_stored_codes_quote_the_value_to_help_the_partner()
    {
        var result = await FeedSamples.ReadOne("police-da-incidents", FeedSamples.Line("police-da-incidents", ("role", "witness")));
        result.Errors!.Single().Message.Should().Contain("\"witness\"").And.Contain("victim, perpetrator, other");
    }

    [Fact]
    public async Task Messages_about_free_text_never_quote_it()
    {
        var text = new string('x', 501);
        var result = await FeedSamples.ReadOne("da-programmes", FeedSamples.Line("da-programmes", ("programme", text)));
        result.Errors!.Single().Rule.Should().Be("text.length");
        result.Errors!.Single().Message.Should().NotContain("xxxx");
    }

    [Fact]
    public void Every_identifier_and_drop_field_has_an_identity_part()
    {
        FeedCatalog.All.SelectMany(f => f.Fields)
            .Where(f => f.Handling != FieldHandling.Stored)
            .Should().OnlyContain(f => f.Identity != IdentityPart.None);
    }
}
