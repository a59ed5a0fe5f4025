using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Validation;

public sealed class NameTextTests
{
    [Theory]
    [InlineData("Zoë", "ZOE")]
    [InlineData("O'Brien-Núñez", "OBRIENNUNEZ")]
    [InlineData("Siân Ó Súilleabháin", "SIANOSUILLEABHAIN")]
    [InlineData("Strauß", "STRAUSS")]
    [InlineData("STRAUẞ", "STRAUSS")]
    [InlineData("Æsa Øby", "AESAOBY")]
    [InlineData("Łukasz Żółć", "LUKASZZOLC")]
    [InlineData("smith 2", "SMITH")]
    [InlineData("×÷-' ", "")]
    public void Names_fold_to_upper_case_ascii_letters(string name, string folded)
    {
        NameText.Fold(name).Should().Be(folded);
    }

    [Fact]
    public void Initial_is_the_first_folded_letter()
    {
        NameText.Initial("élodie").Should().Be('E');
        NameText.Initial("'-").Should().BeNull();
    }
}
