using DataHub.Storage.Local;

namespace DataHub.Core.Tests.Audit;

public sealed class FileCreationMaskTests
{
    [Theory]
    [InlineData(null, "077")]
    [InlineData("", "077")]
    [InlineData("027", "027")]
    [InlineData("007", "007")]
    public void The_mask_is_owner_only_unless_the_operator_relaxes_it(string? setting, string expected) =>
        FileCreationMask.Describe(FileCreationMask.Parse(setting)).Should().Be(expected);

    [Theory]
    [InlineData("000")]
    [InlineData("020")]
    [InlineData("477")]
    [InlineData("999")]
    [InlineData("group")]
    public void A_mask_that_lets_others_write_takes_the_owners_access_or_is_not_octal_is_refused(string setting)
    {
        var act = () => FileCreationMask.Parse(setting);

        // The operator reads the message as it is: no "(Parameter 'setting')" tail naming our code's argument.
        act.Should().Throw<ArgumentException>().WithMessage($"*{FileCreationMask.Setting}*").Which.Message.Should().NotContain("Parameter");
    }
}
