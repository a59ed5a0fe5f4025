using DataHub.Core.Feeds;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Core.Parsing;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Pseudonymisation;

/// <summary>
/// Values a partner's system writes for an identity it does not know (UNKNOWN, Baby, 01/01/1900, 0000000000) make no
/// token, so strangers sharing one are never linked; the row is kept with the other keys it can make.
/// </summary>
public sealed class PlaceholderIdentityTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(3, 32).Select(i => (byte)i)];
    private static readonly FeedContract CscPeople = FeedCatalog.Find(FeedCatalog.CscPeople)!;
    private static readonly FeedContract Police = FeedCatalog.Find(FeedCatalog.PoliceDaIncidents)!;
    private static readonly DateOnly Born = new(2012, 4, 17);

    [Theory]
    [InlineData("UNKNOWN", "Smith")]
    [InlineData("Jade", "Unknown")]
    [InlineData("Not Known", "Smith")]
    [InlineData("Jade", "Not-Known")]
    [InlineData("N/K", "N/K")]
    [InlineData("Jade", "nk")]
    [InlineData("Jade", "UNK")]
    [InlineData("None", "Smith")]
    [InlineData("No Name", "Smith")]
    [InlineData("Jade", "Name Withheld")]
    [InlineData("Refused", "Smith")]
    [InlineData("Anon", "Smith")]
    [InlineData("Jade", "Anonymous")]
    [InlineData("Test", "Test")]
    [InlineData("Jade", "XXX")]
    [InlineData("Unknown Male", "Smith")]
    [InlineData("Baby", "Smith")]
    [InlineData("Baby Boy", "Smith")]
    [InlineData("Baby of", "Smith")]
    [InlineData("Unborn", "Smith")]
    [InlineData("UNBORN CHILD", "Smith")]
    public void A_placeholder_name_makes_no_name_dob_or_attributor_token_and_the_row_keeps_its_other_keys(string forename, string surname)
    {
        var tokens = Tokens(CscPeople, "csc", Person(forename, surname, Born, nhs: "9434765919"));

        tokens[LinkageKey.NameDob].Should().BeNull();
        tokens[LinkageKey.Attributor].Should().BeNull();
        tokens[LinkageKey.Nhs].Should().NotBeNull();
        tokens[LinkageKey.Local].Should().NotBeNull();
    }

    [Theory]
    [InlineData("Jade", "Knott")]
    [InlineData("Jade", "Testa")]
    [InlineData("Jade", "Babyak")]
    [InlineData("Jade", "Nunkett")]
    [InlineData("Jade", "Baby")]
    [InlineData("Anona", "Smith")]
    [InlineData("Tess", "Smith")]
    [InlineData("Jade Unknown", "Smith")]
    public void A_real_name_that_contains_or_resembles_a_placeholder_word_still_makes_its_tokens(string forename, string surname)
    {
        var tokens = Tokens(CscPeople, "csc", Person(forename, surname, Born));

        tokens[LinkageKey.NameDob].Should().NotBeNull();
        tokens[LinkageKey.Attributor].Should().NotBeNull();
    }

    [Theory]
    [InlineData(1900, 1, 1)]
    [InlineData(1901, 1, 1)]
    public void A_placeholder_date_of_birth_makes_no_name_dob_or_attributor_token(int year, int month, int day)
    {
        var tokens = Tokens(CscPeople, "csc", Person("Jade", "Smith", new DateOnly(year, month, day), nhs: "9434765919"));

        tokens[LinkageKey.NameDob].Should().BeNull();
        tokens[LinkageKey.Attributor].Should().BeNull();
        tokens[LinkageKey.Nhs].Should().NotBeNull();
    }

    [Fact]
    public void Every_system_default_date_of_birth_is_a_placeholder_and_the_days_around_them_are_not()
    {
        foreach (var date in new DateOnly[] { new(1, 1, 1), new(1753, 1, 1), new(1800, 1, 1), new(1899, 12, 30), new(1899, 12, 31), new(1900, 1, 1), new(1901, 1, 1) })
        {
            PlaceholderIdentities.IsDateOfBirth(date).Should().BeTrue(date.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }

        PlaceholderIdentities.IsDateOfBirth(new DateOnly(1900, 1, 2)).Should().BeFalse();
        PlaceholderIdentities.IsDateOfBirth(new DateOnly(1970, 1, 1)).Should().BeFalse("real people were born on the Unix epoch");
    }

    public static TheoryData<string> TestRangeNhsNumbers()
    {
        // Numbers in the 999 range, each with a valid check digit.
        var data = new TheoryData<string>();
        foreach (var nine in new[] { "999000001", "999123456", "999876543", "999999990" }.Where(n => NhsNumber.CheckDigit(n) >= 0))
        {
            data.Add(nine + NhsNumber.CheckDigit(nine));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TestRangeNhsNumbers))]
    public void A_test_range_nhs_number_is_a_valid_value_that_makes_no_nhs_token(string nhs)
    {
        // Valid, as a blank optional identifier is: the row is kept and links by its other keys.
        new FieldParser(CscPeople).Parse(CscPeople.Fields.ToList().FindIndex(f => f.Identity == IdentityPart.NhsNumber), nhs, out _).Should().BeNull();
        var tokens = Tokens(CscPeople, "csc", Person("Jade", "Smith", Born, nhs: nhs));

        tokens[LinkageKey.Nhs].Should().BeNull();
        tokens[LinkageKey.NameDob].Should().NotBeNull();
    }

    [Fact]
    public void A_repeated_digit_nhs_number_stays_refused_by_validation_and_is_a_dummy_for_the_token_rule_too()
    {
        var nhsField = CscPeople.Fields.ToList().FindIndex(f => f.Identity == IdentityPart.NhsNumber);
        for (var d = '0'; d <= '9'; d++)
        {
            var repeated = new string(d, 10);
            new FieldParser(CscPeople).Parse(nhsField, repeated, out _)?.Rule.Should().Be(Rules.NhsFormat, repeated);
            PlaceholderIdentities.IsNhsNumber(repeated).Should().BeTrue(repeated);
        }

        PlaceholderIdentities.IsNhsNumber("9434765919").Should().BeFalse("a real number's digits are not all one");
    }

    [Fact]
    public void Rows_with_the_same_placeholder_name_and_date_link_neither_to_each_other_nor_to_a_cohort_person()
    {
        // Two families' unborn children recorded by CSC as "Unborn Smith" with the same expected date, and an adult written
        // as UNKNOWN UNKNOWN born 01/01/1900; the police record the same placeholders for people they could not identify.
        var expected = new DateOnly(2021, 6, 1);
        var cohort = CohortIndex.Build(
        [
            CohortRow(Person("Unborn", "Smith", expected, sex: "U", personId: "P1"), "F1"),
            CohortRow(Person("Unborn", "Smith", expected, sex: "U", personId: "P2"), "F2"),
            CohortRow(Person("UNKNOWN", "UNKNOWN", new DateOnly(1985, 3, 9), sex: "M", personId: "P3"), "F3"),
            CohortRow(Person("Jade", "Smith", new DateOnly(1900, 1, 1), sex: "F", personId: "P4"), "F4"),
        ]);
        PoliceRow[] incidents =
        [
            new("Unborn", "Smith", expected, "U"),
            new("Unknown", "Unknown", new DateOnly(1985, 3, 9), "M"),
            new("N/K", "N/K", new DateOnly(1985, 3, 9), "M"),
            new("Jade", "Smith", new DateOnly(1900, 1, 1), "F"),
        ];

        foreach (var incident in incidents)
        {
            var keys = Keys(Tokens(Police, "police", Row(Police, ("forename", incident.Forename), ("surname", incident.Surname), ("date_of_birth", incident.Born), ("sex", incident.Sex))));
            keys.NameDob.Should().BeNull("a placeholder identifies no one, so rows sharing it do not link to each other");
            keys.Attributor.Should().BeNull();
            cohort.Link(keys, Police.Name, samePartner: false).Status.Should().Be(LinkStatus.Unlinked, incident.ToString());
        }
    }

    private sealed record PoliceRow(string Forename, string Surname, DateOnly Born, string Sex);

    private static ParsedRow Person(string forename, string surname, DateOnly born, string? nhs = null, string sex = "F", string personId = "P1") =>
        Row(CscPeople, ("person_id", personId), ("nhs_number", nhs), ("forename", forename), ("surname", surname), ("date_of_birth", born), ("sex", sex));

    private static CscPersonRow CohortRow(ParsedRow person, string family)
    {
        var keys = Keys(Tokens(CscPeople, "csc", person));
        return new CscPersonRow(keys, family, null, 2000, 1, "U", "child", new DateOnly(2021, 1, 4), null, "North", false, false, false);
    }

    private static PersonKeys Keys(IReadOnlyDictionary<LinkageKey, string?> tokens) =>
        new(tokens.GetValueOrDefault(LinkageKey.Nhs), tokens.GetValueOrDefault(LinkageKey.Upn), tokens.GetValueOrDefault(LinkageKey.NameDob),
            tokens.GetValueOrDefault(LinkageKey.Attributor), tokens.GetValueOrDefault(LinkageKey.Local));

    private static Dictionary<LinkageKey, string?> Tokens(FeedContract contract, string partner, ParsedRow row)
    {
        using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v1", Key));
        var tokeniser = new RowTokeniser(contract, partner, pseudonymiser);
        var tokens = new string?[tokeniser.Keys.Count];
        tokeniser.Tokenise(row, tokens);
        return tokeniser.Keys.Select((key, i) => (key, tokens[i])).ToDictionary(t => t.key, t => t.Item2);
    }

    private static ParsedRow Row(FeedContract contract, params (string Field, object? Value)[] values) =>
        new(2, contract.Fields.Select(f => values.FirstOrDefault(v => v.Field == f.Name).Value).ToList());
}
