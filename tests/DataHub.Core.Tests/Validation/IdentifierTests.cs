using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Validation;

public sealed class IdentifierTests
{
    [Theory]
    [InlineData("9434765919", "9434765919")]
    [InlineData("943 476 5919", "9434765919")]
    [InlineData("943-476-5919", "9434765919")]
    [InlineData(" 4010232137 ", "4010232137")]
    public void Nhs_number_normalises_to_ten_digits(string raw, string expected)
    {
        NhsNumber.TryNormalise(raw, out var digits).Should().BeTrue();
        digits.Should().Be(expected);
    }

    [Theory]
    [InlineData("9434765918")]
    [InlineData("943476591")]
    [InlineData("94347659190")]
    [InlineData("943476591A")]
    [InlineData("943.476.5919")]
    [InlineData("0000000000")]
    [InlineData("9999999999")]
    [InlineData("")]
    public void Nhs_number_that_is_malformed_or_fails_modulus_11_is_rejected(string raw)
    {
        NhsNumber.TryNormalise(raw, out var digits).Should().BeFalse();
        digits.Should().BeEmpty();
    }

    [Fact]
    public void Nhs_numbers_whose_check_would_be_ten_are_never_valid()
    {
        // 123456789x: 1*10+2*9+...+9*2 = 210, 210 mod 11 = 1, 11 - 1 = 10, so no check digit exists.
        NhsNumber.CheckDigit("123456789").Should().Be(-1);
        Enumerable.Range(0, 10).Where(d => NhsNumber.TryNormalise("123456789" + d, out var _)).Should().BeEmpty();
    }

    [Theory]
    [InlineData("B801200005001", "B801200005001")]
    [InlineData("b801200005001", "B801200005001")]
    [InlineData(" B801200005001 ", "B801200005001")]
    public void Upn_normalises_to_upper_case_with_a_valid_check_letter(string raw, string expected)
    {
        Upn.TryNormalise(raw, out var upn).Should().BeTrue();
        upn.Should().Be(expected);
    }

    [Fact]
    public void Temporary_upn_ending_in_a_letter_is_checked_with_the_letter_value()
    {
        var body = "80120000500A";
        var upn = Upn.CheckLetter(body) + body;
        Upn.TryNormalise(upn, out var normalised).Should().BeTrue();
        normalised.Should().Be(upn);
    }

    [Theory]
    [InlineData("A801200005001")]
    [InlineData("B207000016049")]
    [InlineData("X80120000A001")]
    [InlineData("I801200005001")]
    [InlineData("B80120000500")]
    [InlineData("B8012000050011")]
    [InlineData("B80120000500S")]
    public void Upn_with_a_wrong_check_letter_or_shape_is_rejected(string raw)
    {
        Upn.TryNormalise(raw, out _).Should().BeFalse();
    }

    [Theory]
    [InlineData("2018-03-31", 2018, 3, 31)]
    [InlineData("31/03/2018", 2018, 3, 31)]
    [InlineData("1/3/2018", 2018, 3, 1)]
    [InlineData(" 2020-02-29 ", 2020, 2, 29)]
    public void Dates_in_iso_or_uk_form_parse(string text, int year, int month, int day)
    {
        DateText.Parse(text, out var date).Should().BeNull();
        date.Should().Be(new DateOnly(year, month, day));
    }

    [Theory]
    [InlineData("30/02/2018", Rules.DateImpossible)]
    [InlineData("2018-13-01", Rules.DateImpossible)]
    [InlineData("00/01/2018", Rules.DateImpossible)]
    [InlineData("43190", Rules.DateExcelSerial)]
    [InlineData("2018/03/31", Rules.DateFormat)]
    [InlineData("31 March 2018", Rules.DateFormat)]
    [InlineData("2018-3-31", Rules.DateFormat)]
    [InlineData("31/03/2018 00:00", Rules.DateFormat)]
    [InlineData("2100-01-01", Rules.DateRange)]
    public void Dates_in_other_forms_or_that_do_not_exist_are_rejected(string text, string rule)
    {
        DateText.Parse(text, out _).Should().Be(rule);
    }

    [Theory]
    [InlineData("Y", true)]
    [InlineData("yes", true)]
    [InlineData("TRUE", true)]
    [InlineData("1", true)]
    [InlineData("n", false)]
    [InlineData("No", false)]
    [InlineData("false", false)]
    [InlineData("0", false)]
    [InlineData("2", null)]
    [InlineData("T", null)]
    public void Booleans_accept_the_four_spellings_only(string text, bool? expected)
    {
        FieldParser.ParseBoolean(text).Should().Be(expected);
    }
}
