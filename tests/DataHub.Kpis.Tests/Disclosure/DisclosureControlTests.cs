using DataHub.Core.Disclosure;

namespace DataHub.Kpis.Tests.Disclosure;

public sealed class DisclosureControlTests
{
    private static readonly DisclosureProfile Standard = new("standard", threshold: 4);

    private static DisclosureResult Apply(DisclosureProfile profile, IEnumerable<CountCell> cells, IEnumerable<Margin>? margins = null, IEnumerable<RateCell>? rates = null) =>
        new DisclosureControl(profile).Apply(new DisclosureTable([.. cells], [.. margins ?? []], [.. rates ?? []]));

    private static CountCell Cell(string id, long? count) => new(id, count);

    [Theory]
    [InlineData(4, 4, true)]
    [InlineData(4, 5, false)]
    [InlineData(7, 5, true)]
    [InlineData(7, 7, true)]
    [InlineData(7, 8, false)]
    [InlineData(4, 1, true)]
    public void Suppresses_counts_from_one_to_the_profile_threshold(int threshold, long count, bool suppressed)
    {
        var result = Apply(new DisclosureProfile("p", threshold), [Cell("a", count)]);

        var cell = result.Count("a");
        if (suppressed)
        {
            cell.Value.Should().BeNull();
            cell.Marker.Should().Be(DisclosureMarker.Confidential);
            cell.Reason.Should().Be(SuppressionReason.Primary);
        }
        else
        {
            cell.Value.Should().Be(count);
            cell.Marker.Should().Be(DisclosureMarker.None);
            cell.Reason.Should().Be(SuppressionReason.None);
        }
    }

    [Fact]
    public void Publishes_zero_unless_the_profile_suppresses_zeros()
    {
        Apply(Standard, [Cell("z", 0)]).Count("z").Value.Should().Be(0);

        var strict = Apply(new DisclosureProfile("strict", 4, suppressZeros: true), [Cell("z", 0)]).Count("z");
        strict.Marker.Should().Be(DisclosureMarker.Confidential);
        strict.Reason.Should().Be(SuppressionReason.Primary);
    }

    [Fact]
    public void Suppresses_a_complement_when_a_small_part_could_be_subtracted_from_its_total()
    {
        var result = Apply(Standard,
            [Cell("all", 20), Cell("team:A", 3), Cell("team:B", 9), Cell("team:C", 8)],
            [new Margin("all", ["team:A", "team:B", "team:C"])]);

        result.Count("team:A").Reason.Should().Be(SuppressionReason.Primary);
        // The smallest published count in the margin is the cheapest complement.
        result.Count("team:C").Reason.Should().Be(SuppressionReason.Secondary);
        result.Count("team:C").Protects.Should().Be("team:A");
        result.Count("team:B").Value.Should().Be(9);
        result.Count("all").Value.Should().Be(20);
    }

    [Fact]
    public void Hides_a_small_total_with_its_small_part_without_further_suppression()
    {
        var result = Apply(Standard,
            [Cell("all", 4), Cell("age:child", 0), Cell("age:adult", 4)],
            [new Margin("all", ["age:child", "age:adult"])]);

        result.Count("all").Marker.Should().Be(DisclosureMarker.Confidential);
        result.Count("age:adult").Marker.Should().Be(DisclosureMarker.Confidential);
        // A zero is not small here; with the total and the other part both hidden, all − adult = 0 fixes neither.
        result.Count("age:child").Value.Should().Be(0);
        result.Counts.Should().NotContain(c => c.Reason == SuppressionReason.Secondary);
        result.Unprotected.Should().BeEmpty();
    }

    [Fact]
    public void Protects_a_cell_of_a_two_way_table_through_both_of_its_margins()
    {
        // Rows r1..r2 by columns c1..c3 with row totals, column totals and a grand total.
        long[,] inner = { { 2, 10, 12 }, { 9, 11, 15 } };
        var cells = new List<CountCell>();
        var margins = new List<Margin>();
        for (var r = 0; r < 2; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                cells.Add(Cell($"r{r}c{c}", inner[r, c]));
            }

            cells.Add(Cell($"r{r}", Enumerable.Range(0, 3).Sum(c => inner[r, c])));
            margins.Add(new Margin($"r{r}", [.. Enumerable.Range(0, 3).Select(c => $"r{r}c{c}")]));
        }

        for (var c = 0; c < 3; c++)
        {
            cells.Add(Cell($"c{c}", inner[0, c] + inner[1, c]));
            margins.Add(new Margin($"c{c}", [$"r0c{c}", $"r1c{c}"]));
        }

        cells.Add(Cell("grand", inner.Cast<long>().Sum()));
        margins.Add(new Margin("grand", ["r0", "r1"]));
        margins.Add(new Margin("grand", ["c0", "c1", "c2"]));

        var result = Apply(Standard, cells, margins);

        var suppressed = result.Counts.Where(c => c.Marker == DisclosureMarker.Confidential).Select(c => c.Id).ToList();
        suppressed.Should().Contain("r0c0");
        // Row and column both need a second unknown, and those two need a fourth to close the rectangle.
        suppressed.Should().HaveCountGreaterThanOrEqualTo(4);
        result.Counts.Where(c => c.Reason == SuppressionReason.Secondary).Should().OnlyContain(c => c.Protects != null);
        result.Unprotected.Should().BeEmpty();
    }

    [Fact]
    public void Withholds_rates_whose_counts_are_suppressed_and_marks_a_small_base_as_low_reliability()
    {
        var profile = new DisclosureProfile("rates", threshold: 4, minimumDenominator: 20);
        var result = Apply(profile,
            [Cell("n1", 3), Cell("d1", 50), Cell("n2", 6), Cell("d2", 12), Cell("n3", 10), Cell("d3", 40), Cell("n4", 0), Cell("d4", 0),
             Cell("n5", null), Cell("d5", 30), new CountCell("n6", null, NotApplicable: true)],
            rates: [new RateCell("r1", "n1", "d1"), new RateCell("r2", "n2", "d2"), new RateCell("r3", "n3", "d3"),
                    new RateCell("r4", "n4", "d4"), new RateCell("r5", "n5", "d5"), new RateCell("r6", "n6", "d5")]);

        result.Rate("r1").Should().BeEquivalentTo(new { Value = (double?)null, Marker = DisclosureMarker.Confidential, Reason = SuppressionReason.Rate });
        result.Rate("r2").Should().BeEquivalentTo(new { Value = (double?)0.5, Marker = DisclosureMarker.LowReliability, Reason = SuppressionReason.None });
        result.Rate("r3").Value.Should().Be(0.25);
        result.Rate("r3").Marker.Should().Be(DisclosureMarker.None);
        result.Rate("r4").Marker.Should().Be(DisclosureMarker.NotApplicable);
        result.Rate("r5").Marker.Should().Be(DisclosureMarker.Unavailable);
        result.Rate("r6").Marker.Should().Be(DisclosureMarker.NotApplicable);
        result.Count("n5").Marker.Should().Be(DisclosureMarker.Unavailable);
        result.Count("n6").Marker.Should().Be(DisclosureMarker.NotApplicable);
    }

    [Fact]
    public void Withholds_a_rate_whose_count_was_suppressed_as_a_complement()
    {
        var result = Apply(Standard,
            [Cell("all", 30), Cell("a", 2), Cell("b", 28), Cell("d", 100)],
            [new Margin("all", ["a", "b"])],
            [new RateCell("rate_b", "b", "d")]);

        result.Count("b").Reason.Should().Be(SuppressionReason.Secondary);
        result.Rate("rate_b").Reason.Should().Be(SuppressionReason.Rate);
        result.Rate("rate_b").Value.Should().BeNull();
    }

    [Fact]
    public void Rounds_published_counts_to_the_profile_base_after_suppression()
    {
        var profile = new DisclosureProfile("rounded", threshold: 0, roundingBase: 5);
        var result = Apply(profile, [Cell("a", 12), Cell("b", 13), Cell("c", 2), Cell("d", 0), Cell("e", 25)],
            rates: [new RateCell("r", "b", "e")]);

        result.Count("a").Value.Should().Be(10);
        result.Count("b").Value.Should().Be(15);
        result.Count("c").Should().BeEquivalentTo(new { Value = (long?)null, Marker = DisclosureMarker.Low });
        result.Count("d").Value.Should().Be(0);
        // Rates come from the published (rounded) counts, so a rate tells a reader nothing the counts do not.
        result.Rate("r").Value.Should().Be(15.0 / 25);
    }

    [Fact]
    public void A_rate_over_a_rounded_base_below_the_minimum_is_shown_as_low_reliability_by_its_published_base()
    {
        // 9 rounds to 10: the published base is not below the minimum, so marking it [u] would tell a reader it is 8 or 9.
        var profile = new DisclosureProfile("rounded", threshold: 4, roundingBase: 5, minimumDenominator: 10);
        var result = Apply(profile, [Cell("n", 6), Cell("d", 9), Cell("n2", 5), Cell("d2", 7)],
            rates: [new RateCell("r", "n", "d"), new RateCell("r2", "n2", "d2")]);

        result.Rate("r").Should().BeEquivalentTo(new { Value = (double?)0.5, Marker = DisclosureMarker.None });
        result.Rate("r2").Should().BeEquivalentTo(new { Value = (double?)1.0, Marker = DisclosureMarker.LowReliability });
    }

    [Fact]
    public void Suppresses_a_rounded_count_whose_exact_value_the_rounded_margins_pin()
    {
        // Rounded to 5 with 1..4 withheld, a reader knows 8 → 10 lies in 8..12, 13 → 15 in 13..17 and the total 37 → 35 in 33..37.
        // Four parts of at least 8, 8, 8 and 13 reach 37 only when every one is at its lowest: all five counts would be exact.
        var profile = new DisclosureProfile("rounded", threshold: 4, roundingBase: 5);
        var result = Apply(profile,
            [Cell("all", 37), Cell("a", 8), Cell("b", 8), Cell("c", 8), Cell("d", 13)],
            [new Margin("all", ["a", "b", "c", "d"])]);

        result.Counts.Should().Contain(c => c.Reason == SuppressionReason.Rounding);
        result.Counts.Count(c => c.Value is null).Should().BeGreaterThanOrEqualTo(2, "a withheld count needs a second one in its margin");
        result.Unprotected.Should().BeEmpty();
    }

    [Fact]
    public void Shows_a_count_known_from_elsewhere_exactly_and_protects_the_rounded_counts_beside_it_knowing_it()
    {
        // A partner feed's 24 records (its rows in the deliveries table) = 12 linked + 0 ambiguous + 12 unlinked. Against a rounded
        // total the rounded parts (10, 0, 10) leave room; against the exact 24 they can only be 12 and 12.
        var health = new DisclosureProfile("health", threshold: 7, roundingBase: 5);
        Margin[] margin = [new("records", ["linked", "ambiguous", "unlinked"])];
        CountCell[] Cells(bool known) => [new("records", 24, Public: known), Cell("linked", 12), Cell("ambiguous", 0), Cell("unlinked", 12)];
        var exactRecords = new RowPublication("count", true, false, 0, false, null);
        var rounded = new RowPublication("count", true, false, 7, false, 5);
        List<KpiValueRow> Rows(DisclosureResult r) =>
        [
            .. new[] { "linked", "ambiguous", "unlinked" }.Select(id => new KpiValueRow("*", "*", "lq", id, "all", r.Count(id).Value, null, null, r.Count(id).Value is null ? "[c]" : "")),
            new KpiValueRow("*", "*", "deliveries", "rows", "all", 24, null, null, ""),
        ];
        var reader = new RecoveryOptions(
            NumeratorQuantity: r => r.Measure,
            Publication: r => r.Indicator == "deliveries" ? exactRecords : rounded,
            Relations: [new QuantityRelation(["rows"], ["linked", "ambiguous", "unlinked"])]);

        var blind = Apply(health, Cells(known: false), margin);
        blind.Count("records").Value.Should().Be(25);
        RecoveryVerifier.FindRecoverableCells(Rows(blind), reader).Select(f => (f.Row.Measure, (long)f.RecoveredValue!.Value))
            .Should().BeEquivalentTo([("linked", 12L), ("unlinked", 12L)]);

        var result = Apply(health, Cells(known: true), margin);

        result.Count("records").Should().BeEquivalentTo(new { Value = 24L, Marker = DisclosureMarker.None });
        result.Counts.Should().Contain(c => c.Reason == SuppressionReason.Rounding);
        RecoveryVerifier.FindRecoverableCells(Rows(result), reader).Should().BeEmpty();
    }

    [Fact]
    public void Never_withholds_a_count_known_from_elsewhere_however_small()
    {
        // Withholding it would hide nothing; its parts are protected from it as from any published total.
        var result = Apply(Standard,
            [new("all", 3, Public: true), Cell("team:A", 1), Cell("team:B", 2)],
            [new Margin("all", ["team:A", "team:B"])]);

        result.Count("all").Value.Should().Be(3);
        result.Count("team:A").Reason.Should().Be(SuppressionReason.Primary);
        result.Count("team:B").Reason.Should().Be(SuppressionReason.Primary);
        FluentActions.Invoking(() => Apply(Standard, [new("x", null, Public: true)])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Leaves_rounded_counts_alone_when_the_margins_do_not_narrow_any_to_one_value()
    {
        var profile = new DisclosureProfile("rounded", threshold: 4, roundingBase: 5);
        var result = Apply(profile, [Cell("all", 30), Cell("a", 12), Cell("b", 18)], [new Margin("all", ["a", "b"])]);

        result.Counts.Select(c => (c.Id, c.Value)).Should().BeEquivalentTo([("all", (long?)30), ("a", 10), ("b", 20)]);
    }

    [Theory]
    [InlineData(5, 5, 7)]
    [InlineData(10, 8, 12)]
    [InlineData(0, 0, 0)]
    public void A_published_count_stands_for_the_counts_that_are_not_small_and_round_to_it(long published, long low, long high)
    {
        new DisclosureProfile("rounded", threshold: 4, roundingBase: 5).Interval(published).Should().Be((low, high));
    }

    [Fact]
    public void Rounds_half_up_for_an_even_base()
    {
        new DisclosureProfile("ten", 0, roundingBase: 10).Round(15).Should().Be(20);
        new DisclosureProfile("ten", 0, roundingBase: 10).Round(14).Should().Be(10);
    }

    [Fact]
    public void Lets_an_unavailable_count_hide_a_small_part_without_a_complement()
    {
        // Nobody knows the unavailable part, so total − published part leaves two unknowns.
        var result = Apply(Standard,
            [Cell("all", 20), Cell("team:A", null), Cell("team:B", 3), Cell("team:C", 9)],
            [new Margin("all", ["team:A", "team:B", "team:C"])]);

        result.Count("team:A").Marker.Should().Be(DisclosureMarker.Unavailable);
        result.Count("team:B").Reason.Should().Be(SuppressionReason.Primary);
        result.Counts.Should().NotContain(c => c.Reason == SuppressionReason.Secondary);
    }

    [Fact]
    public void Treats_a_not_applicable_cell_as_a_known_zero_in_its_margin()
    {
        var result = Apply(Standard,
            [Cell("all", 20), new CountCell("team:A", null, NotApplicable: true), Cell("team:B", 3), Cell("team:C", 17)],
            [new Margin("all", ["team:A", "team:B", "team:C"])]);

        result.Count("team:C").Reason.Should().Be(SuppressionReason.Secondary);
    }

    [Fact]
    public void Gives_one_decision_to_a_count_listed_twice_under_one_id()
    {
        var result = Apply(Standard,
            [Cell("children", 3), Cell("children", 3), Cell("n1", 1), Cell("n2", 2)],
            rates: [new RateCell("r1", "n1", "children"), new RateCell("r2", "n2", "children")]);

        result.Counts.Should().ContainSingle(c => c.Id == "children");
        result.Rate("r1").Marker.Should().Be(DisclosureMarker.Confidential);
        result.Rate("r2").Marker.Should().Be(DisclosureMarker.Confidential);
    }

    [Fact]
    public void Protects_suppressed_zeros_that_non_negativity_would_reveal()
    {
        // 0 + 0 + 10 = 10 published: a reader knows counts are never negative, so both zeros would be certain.
        var result = Apply(new DisclosureProfile("zeros", 4, suppressZeros: true),
            [Cell("all", 10), Cell("a", 0), Cell("b", 0), Cell("c", 10)],
            [new Margin("all", ["a", "b", "c"])]);

        result.Counts.Count(c => c.Reason == SuppressionReason.Secondary).Should().Be(1);
        var rows = result.Counts.Select(c => new KpiValueRow("c1", "2018Q1", "K", "m", c.Id == "all" ? "all" : "team:" + c.Id, c.Value, 50, null, c.Marker.ToText())).ToList();
        RecoveryVerifier.FindRecoverableCells(rows).Should().BeEmpty();
    }

    [Fact]
    public void Reports_a_cell_that_the_margins_fix_whatever_else_is_suppressed()
    {
        // "all" has one part in one margin, so the other margin pins "a" at 0 — a design fault of the table.
        var result = Apply(new DisclosureProfile("zeros", 4, suppressZeros: true),
            [Cell("all", 9), Cell("a", 0), Cell("b", 9)],
            [new Margin("all", ["a", "b"]), new Margin("all", ["b"])]);

        result.Unprotected.Should().Equal("a");
    }

    [Fact]
    public void Gives_the_same_pattern_whatever_the_input_order()
    {
        var grid = RandomTables.Grid(new Random(7), cohorts: 1, quarters: 3);
        var table = grid.ToTable();
        var control = new DisclosureControl(Standard);
        var expected = control.Apply(table);

        var random = new Random(11);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var shuffled = new DisclosureTable(
                [.. table.Cells.OrderBy(_ => random.Next())],
                [.. table.Margins.OrderBy(_ => random.Next()).Select(m => m with { PartIds = [.. m.PartIds.OrderBy(_ => random.Next())] })],
                [.. table.Rates.OrderBy(_ => random.Next())]);

            var again = control.Apply(shuffled);

            again.Counts.Should().Equal(expected.Counts);
            again.Rates.Should().Equal(expected.Rates);
        }

        expected.Counts.Should().Contain(c => c.Reason == SuppressionReason.Secondary, "the check must cover secondary choices");
    }

    [Fact]
    public void Rejects_a_margin_that_does_not_add_up_without_printing_its_counts()
    {
        var act = () => Apply(Standard, [Cell("all", 23), Cell("a", 3), Cell("b", 17)], [new Margin("all", ["a", "b"])]);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("'all'").And.NotContain("23").And.NotContain("17");
    }

    [Fact]
    public void Rejects_one_id_given_with_two_different_counts()
    {
        var act = () => Apply(Standard, [Cell("x", 3), Cell("x", 30)]);

        act.Should().Throw<ArgumentException>().WithMessage("*'x'*one quantity*");
    }

    [Fact]
    public void Rejects_a_margin_or_rate_naming_a_cell_the_table_lacks()
    {
        var margin = () => Apply(Standard, [Cell("all", 3)], [new Margin("all", ["missing"])]);
        var rate = () => Apply(Standard, [Cell("n", 3)], rates: [new RateCell("r", "n", "missing")]);

        margin.Should().Throw<ArgumentException>().WithMessage("*'missing'*");
        rate.Should().Throw<ArgumentException>().WithMessage("*'r'*");
    }

    [Theory]
    [InlineData(DisclosureMarker.None, "")]
    [InlineData(DisclosureMarker.Confidential, "[c]")]
    [InlineData(DisclosureMarker.Unavailable, "[x]")]
    [InlineData(DisclosureMarker.NotApplicable, "[z]")]
    [InlineData(DisclosureMarker.Low, "[low]")]
    [InlineData(DisclosureMarker.LowReliability, "[u]")]
    public void Writes_and_reads_markers_as_gss_text(DisclosureMarker marker, string text)
    {
        marker.ToText().Should().Be(text);
        DisclosureMarkers.TryParse(text, out var parsed).Should().BeTrue();
        parsed.Should().Be(marker);
    }

    [Fact]
    public void Refuses_an_unknown_marker_text()
    {
        DisclosureMarkers.TryParse("[e]", out _).Should().BeFalse();
    }

    [Fact]
    public void Rejects_profiles_with_impossible_values()
    {
        FluentActions.Invoking(() => new DisclosureProfile("p", -1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new DisclosureProfile("p", 4, roundingBase: 1)).Should().Throw<ArgumentOutOfRangeException>();
        FluentActions.Invoking(() => new DisclosureProfile(" ", 4)).Should().Throw<ArgumentException>();
    }
}
