using DataHub.Core.Feeds;

namespace DataHub.Core.Tests.Feeds;

public sealed class RowErrorTallyTests
{
    [Fact]
    public void Counts_every_error_by_rule_and_lists_only_the_first_ones_in_file_order()
    {
        var tally = new RowErrorTally(listLimit: 3);
        tally.Add([new RowError(2, "Date Of Birth", "date.impossible", "m"), new RowError(2, "Sex", "code.unknown", "m")]);
        tally.Add([new RowError(5, "Date Of Birth", "date.impossible", "m")]);
        tally.Add([new RowError(9, "Incident Date", "date.impossible", "m")]);

        tally.Rows.Should().Be(3);
        tally.ByRule.Should().BeEquivalentTo(new Dictionary<string, long> { ["date.impossible"] = 3, ["code.unknown"] = 1 });
        tally.Listed.Select(e => (e.Line, e.Column)).Should().Equal((2L, "Date Of Birth"), (2L, "Sex"), (5L, "Date Of Birth"));
        tally.Truncated.Should().BeTrue();
    }

    [Fact]
    public void Is_not_truncated_when_every_error_is_listed()
    {
        var tally = new RowErrorTally(listLimit: 2);
        tally.Add([new RowError(3, "Sex", "code.unknown", "m"), new RowError(3, "Crime", "bool.invalid", "m")]);

        tally.Truncated.Should().BeFalse();
        tally.Listed.Should().HaveCount(2);
    }
}
