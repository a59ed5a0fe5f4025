using System.Text;
using DataHub.Core.Validation;

namespace DataHub.Core.Tests.Validation;

public sealed class DuplicateRowsTests
{
    [Fact]
    public void Second_sighting_of_a_row_hash_is_a_repeat()
    {
        var seen = new DuplicateRows();
        seen.IsRepeat(Hash("a", "b")).Should().BeFalse();
        seen.IsRepeat(Hash("a", "c")).Should().BeFalse();
        seen.IsRepeat(Hash("a", "b")).Should().BeTrue();
        seen.Distinct.Should().Be(2);
    }

    [Fact]
    public void Cell_boundaries_are_part_of_the_hash()
    {
        Hash("ab", "c").Should().NotBe(Hash("a", "bc"));
        Hash("", "abc").Should().NotBe(Hash("abc", ""));
        Hash("abcdefgh", "").Should().NotBe(Hash("abcdefg", "h"));
    }

    [Fact]
    public void Two_hundred_thousand_near_identical_rows_are_all_distinct()
    {
        var seen = new DuplicateRows();
        for (var i = 0; i < 200_000; i++)
        {
            seen.IsRepeat(Hash("INC" + i, "2018-01-01", "victim", "Smith")).Should().BeFalse();
        }

        seen.Distinct.Should().Be(200_000);
        seen.IsRepeat(Hash("INC199999", "2018-01-01", "victim", "Smith")).Should().BeTrue();
    }

    private static ulong Hash(params string[] cells)
    {
        var hash = default(RowHash);
        foreach (var cell in cells)
        {
            hash.Add(Encoding.UTF8.GetBytes(cell));
        }

        return hash.Finish();
    }
}
