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

    public static TheoryData<string, string, string> ValuesInTheWrongColumn() => new()
    {
        { "police-da-incidents", "role", "Zebedee" },
        { "police-da-incidents", "crime", "02/03/1981" },
        { "school-attendance", "possible_sessions", "4857773456" },
        { "mental-health-scores", "score", "Zebedee Smith" },
    };

    // A shifted column puts a name, a date of birth or an NHS number where a code or number was expected.
    [Theory]
    [MemberData(nameof(ValuesInTheWrongColumn))]
    public async Task Messages_say_what_was_expected_and_never_echo_the_cell(string feed, string field, string value)
    {
        var result = await FeedSamples.ReadOne(feed, FeedSamples.Line(feed, (field, value)));
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Column.Should().Be(field);
        error.Message.Should().StartWith(field + " must be").And.NotContain(value);
        foreach (var part in value.Split(' ', '/').Where(p => p.Length >= 2))
        {
            error.Message.Should().NotContain(part);
        }
    }

    [Fact]
    public async Task Cross_field_messages_name_the_fields_not_their_values()
    {
        var result = await FeedSamples.ReadOne("school-attendance", FeedSamples.Line("school-attendance",
            ("possible_sessions", "137"), ("authorised_absence_sessions", "129"), ("unauthorised_absence_sessions", "131")));
        var error = result.Errors.Should().ContainSingle().Subject;
        error.Rule.Should().Be("sessions.sum");
        error.Message.Should().NotContain("137").And.NotContain("129").And.NotContain("131");
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
