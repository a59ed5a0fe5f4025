using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Tests.Pseudonymisation;

public sealed class PseudonymisationTests
{
    private static readonly byte[] KeyA = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
    private static readonly byte[] KeyB = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];

    [Theory]
    [InlineData("Zoë", "ZOE")]
    [InlineData("  o'Brien-Smith ", "OBRIENSMITH")]
    [InlineData("Ælfrida", "AELFRIDA")]
    [InlineData("Łukasz", "LUKASZ")]
    [InlineData("François", "FRANCOIS")]
    [InlineData("Strauß", "STRAUSS")]
    public void Names_are_upper_case_letters_only_with_diacritics_folded(string raw, string expected) =>
        IdentityNormaliser.Name(raw).Should().Be(expected);

    // Letters a force's export writes beyond Latin-1 and Latin Extended-A: Romanian comma below (Ștefan), Vietnamese and
    // Yoruba dots and hooks (Nguyễn, Thị, Adébáyọ̀, Ṣadé), Welsh grave and acute w and y (Ẁyn, Ỳr), Hausa hooked letters (Ɗanjuma, Ɓala).
    [Theory]
    [InlineData("Ștefan", "STEFAN")]
    [InlineData("Țurcanu", "TURCANU")]
    [InlineData("Nguyễn", "NGUYEN")]
    [InlineData("Thị", "THI")]
    [InlineData("Adébáyọ̀", "ADEBAYO")]
    [InlineData("Ṣadé", "SADE")]
    [InlineData("Ẁyn Ỳr", "WYNYR")]
    [InlineData("Ɗanjuma", "DANJUMA")]
    [InlineData("Ɓala", "BALA")]
    [InlineData("Ǆ ǉ Ɏ ɏ ỿ Ỻ", "DZLJYYYLL")]
    public void Names_fold_diacritics_beyond_latin1_and_extended_a(string raw, string expected) =>
        IdentityNormaliser.Name(raw).Should().Be(expected);

    [Fact]
    public void Names_without_letters_are_absent() => IdentityNormaliser.Name(" -' 12 ").Should().BeNull();

    [Fact]
    public void First_forename_is_the_first_word_only() => IdentityNormaliser.FirstForename("Mary-Jane  Anne").Should().Be("MARYJANE");

    // A non-breaking space (pasted from a web form or Excel) separates forenames as a space does.
    [Theory]
    [InlineData("Mohammed\u00A0Imran")]
    [InlineData("Mohammed\u202FImran")]
    [InlineData("Mohammed\u2009Imran")]
    public void First_forename_ends_at_a_non_breaking_or_other_unicode_space(string raw) =>
        IdentityNormaliser.FirstForename(raw).Should().Be("MOHAMMED");

    [Theory]
    [InlineData("m", "M")]
    [InlineData("Female", "F")]
    [InlineData("U", "U")]
    [InlineData("Q", null)]
    public void Sex_is_M_F_or_U(string raw, string? expected) => IdentityNormaliser.Sex(raw).Should().Be(expected);

    [Fact]
    public void Token_is_the_key_version_and_the_hmac_of_domain_and_value()
    {
        var token = new Pseudonymiser(new PseudonymisationKey("v7", KeyA)).Token(LinkageKey.Nhs, "9434765919");
        var expected = "v7:" + Convert.ToHexStringLower(HMACSHA256.HashData(KeyA, Encoding.UTF8.GetBytes("nhs|9434765919")));
        token.Should().Be(expected);
        token.Should().MatchRegex("^v7:[0-9a-f]{64}$");
    }

    [Fact]
    public void Same_value_and_key_give_the_same_token_and_a_different_key_a_different_one()
    {
        var a = new Pseudonymiser(new PseudonymisationKey("v1", KeyA));
        var b = new Pseudonymiser(new PseudonymisationKey("v1", KeyB));
        a.Token(LinkageKey.NameDob, "SMITH|JO|2010-01-02").Should().Be(a.Token(LinkageKey.NameDob, "SMITH|JO|2010-01-02"));
        b.Token(LinkageKey.NameDob, "SMITH|JO|2010-01-02").Should().NotBe(a.Token(LinkageKey.NameDob, "SMITH|JO|2010-01-02"));
    }

    [Fact]
    public void Domains_separate_keys_and_local_ids_are_namespaced_by_partner()
    {
        var p = new Pseudonymiser(new PseudonymisationKey("v1", KeyA));
        p.Token(LinkageKey.Nhs, "1234").Should().NotBe(p.Token(LinkageKey.Upn, "1234"));
        p.Token(LinkageKey.Local, "P1", "csc").Should().NotBe(p.Token(LinkageKey.Local, "P1", "substance-misuse"));
        var act = () => p.Token(LinkageKey.Local, "P1");
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Key_material_never_shows_in_its_string_form() =>
        new PseudonymisationKey("v1", KeyA).ToString().Should().Be("key version v1");

    [Fact]
    public void Police_rows_make_name_dob_and_attributor_tokens_that_ignore_case_accents_and_spacing()
    {
        var contract = FeedCatalog.Find("police-da-incidents")!;
        var tokeniser = new RowTokeniser(contract, "police", new Pseudonymiser(new PseudonymisationKey("v1", KeyA)));
        tokeniser.Keys.Should().Equal(LinkageKey.NameDob, LinkageKey.Attributor);
        string?[] Tokens(string forename, string surname, string sex)
        {
            var values = contract.Fields.Select<FieldSpec, object?>(f => f.Name switch
            {
                "forename" => forename,
                "surname" => surname,
                "date_of_birth" => new DateOnly(1990, 4, 5),
                "sex" => sex,
                _ => null,
            }).ToList();
            var tokens = new string?[tokeniser.Keys.Count];
            tokeniser.Tokenise(new ParsedRow(2, values), tokens);
            return tokens;
        }

        var first = Tokens("Zoë Anne", "O'Neil", "F");
        Tokens("ZOE", "oneil", "F").Should().Equal(first);
        Tokens("Zoe", "ONeil", "M")[0].Should().Be(first[0], "sex is not part of name_dob");
        Tokens("Zoe", "ONeil", "M")[1].Should().NotBe(first[1], "sex is part of the attributor");
        first.Should().OnlyContain(t => t != null && t.StartsWith("v1:", StringComparison.Ordinal));
    }

    // Spellings of one person seen across a force's exports: with and without diacritics beyond Latin-1, with a non-breaking
    // space between forenames. Each pair must make the same name_dob and attributor tokens.
    [Theory]
    [InlineData("Ștefan", "Popescu", "STEFAN", "POPESCU")]
    [InlineData("Thị", "Nguyễn", "Thi", "NGUYEN")]
    [InlineData("Olúwasèun", "Adébáyọ̀", "Oluwaseun", "Adebayo")]
    [InlineData("Bala", "Ɗanjuma", "BALA", "DANJUMA")]
    [InlineData("Mohammed\u00A0Imran", "Khan", "Mohammed Imran", "KHAN")]
    public void One_person_written_with_and_without_diacritics_or_a_non_breaking_space_gets_one_token_per_key(
        string forename, string surname, string otherForename, string otherSurname)
    {
        var contract = FeedCatalog.Find("police-da-incidents")!;
        using var pseudonymiser = new Pseudonymiser(new PseudonymisationKey("v1", KeyA));
        var tokeniser = new RowTokeniser(contract, "police", pseudonymiser);
        string?[] Tokens(string first, string last)
        {
            var values = contract.Fields.Select<FieldSpec, object?>(f => f.Name switch
            {
                "forename" => first,
                "surname" => last,
                "date_of_birth" => new DateOnly(1986, 8, 8),
                "sex" => "M",
                _ => null,
            }).ToList();
            var tokens = new string?[tokeniser.Keys.Count];
            tokeniser.Tokenise(new ParsedRow(2, values), tokens);
            return tokens;
        }

        var tokens = Tokens(forename, surname);
        tokens.Should().OnlyContain(t => t != null);
        Tokens(otherForename, otherSurname).Should().Equal(tokens);
    }

    [Fact]
    public void A_row_without_an_optional_nhs_number_has_no_nhs_token()
    {
        var contract = FeedCatalog.Find("mental-health-scores")!;
        var tokeniser = new RowTokeniser(contract, "mental-health", new Pseudonymiser(new PseudonymisationKey("v1", KeyA)));
        var values = contract.Fields.Select<FieldSpec, object?>(f => f.Name switch
        {
            "forename" => "Ann",
            "surname" => "Lee",
            "date_of_birth" => new DateOnly(1985, 1, 1),
            "sex" => "F",
            _ => null,
        }).ToList();
        var tokens = new string?[tokeniser.Keys.Count];
        tokeniser.Tokenise(new ParsedRow(2, values), tokens);
        tokens[tokeniser.Keys.ToList().IndexOf(LinkageKey.Nhs)].Should().BeNull();
        tokens[tokeniser.Keys.ToList().IndexOf(LinkageKey.NameDob)].Should().NotBeNull();
    }
}
