using DataHub.Core.Disclosure;

namespace DataHub.Kpis.Tests.Disclosure;

public sealed class DisclosurePropertyTests
{
    public static TheoryData<int, int, bool, bool> Profiles => new()
    {
        { 0, 4, false, false },
        { 100, 7, false, true },
        { 200, 4, true, false },
        { 300, 7, true, true },
    };

    [Theory]
    [MemberData(nameof(Profiles))]
    public void No_suppressed_cell_of_a_random_table_can_be_recovered_from_the_published_margins(int seedBase, int threshold, bool suppressZeros, bool shareDenominators)
    {
        var control = new DisclosureControl(new DisclosureProfile("p", threshold, suppressZeros));
        var secondaryTotal = 0;
        var primaryOnlyLeaks = 0;
        for (var seed = seedBase; seed < seedBase + 40; seed++)
        {
            var grid = RandomTables.Grid(new Random(seed), quarters: 1 + (seed % 3), shareDenominators: shareDenominators);

            var result = control.Apply(grid.ToTable());
            var found = RecoveryVerifier.FindRecoverableCells(grid.Publish(result), grid.VerifierOptions());

            found.Should().BeEmpty($"seed {seed} must leave nothing recoverable");
            result.Unprotected.Should().BeEmpty();
            secondaryTotal += result.Counts.Count(c => c.Reason == SuppressionReason.Secondary);
            primaryOnlyLeaks += RecoveryVerifier.FindRecoverableCells(grid.PublishPrimaryOnly(control.Profile), grid.VerifierOptions()).Count;
        }

        // The tables are hard enough to matter: primary suppression alone leaks, and secondary suppression was needed.
        primaryOnlyLeaks.Should().BePositive();
        secondaryTotal.Should().BePositive();
    }

    [Theory]
    [InlineData(600, 4, false)]
    [InlineData(700, 9, true)]
    public void No_count_of_a_random_rounded_table_can_be_worked_back_from_its_rounded_counts_rates_and_margins(int seedBase, int threshold, bool suppressZeros)
    {
        var profile = new DisclosureProfile("p", threshold, suppressZeros, roundingBase: 5, minimumDenominator: 10);
        var control = new DisclosureControl(profile);
        var rounding = 0;
        for (var seed = seedBase; seed < seedBase + 30; seed++)
        {
            var grid = RandomTables.Grid(new Random(seed), quarters: 1 + (seed % 3));

            var result = control.Apply(grid.ToTable());
            var found = RecoveryVerifier.FindRecoverableCells(grid.Publish(result), grid.VerifierOptions(profile));

            found.Select(f => $"{f.Row.Quarter} {f.Row.Indicator}.{f.Row.Measure} {f.Row.Breakdown} {f.Role} {f.Route}").Should().BeEmpty($"seed {seed}");
            result.Unprotected.Should().BeEmpty();
            rounding += result.Counts.Count(c => c.Reason == SuppressionReason.Rounding);
        }

        rounding.Should().BePositive();
    }

    [Fact]
    public void The_verifier_also_finds_nothing_when_it_infers_shared_denominators_itself()
    {
        var control = new DisclosureControl(new DisclosureProfile("p", 4));
        for (var seed = 500; seed < 520; seed++)
        {
            var grid = RandomTables.Grid(new Random(seed), quarters: 2, shareDenominators: true);
            var rows = grid.Publish(control.Apply(grid.ToTable()));

            RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(QuarterTotals: grid.QuarterTotals))
                .Should().BeEmpty($"seed {seed}");
        }
    }
}
