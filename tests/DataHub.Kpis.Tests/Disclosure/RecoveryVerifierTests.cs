using DataHub.Core.Disclosure;

namespace DataHub.Kpis.Tests.Disclosure;

public sealed class RecoveryVerifierTests
{
    private static readonly DisclosureProfile Standard = new("standard", threshold: 4);

    private static KpiValueRow Row(string breakdown, long? numerator, long? denominator, string marker = "", string measure = "m", string quarter = "2018Q1", double? value = null) =>
        new("C1", quarter, "KPI01", measure, breakdown, numerator, denominator, value, marker);

    [Fact]
    public void Primary_suppression_alone_leaves_a_cell_recoverable_that_secondary_suppression_protects()
    {
        var grid = new KpiGrid(
        [
            new GridEntry("C1", "2018Q1", "KPI01", "m", "all", 20, 60),
            new GridEntry("C1", "2018Q1", "KPI01", "m", "team:A", 3, 25),
            new GridEntry("C1", "2018Q1", "KPI01", "m", "team:B", 17, 35),
        ]);

        var before = RecoveryVerifier.FindRecoverableCells(grid.PublishPrimaryOnly(Standard), grid.VerifierOptions());
        before.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Role = CountRole.Numerator,
            Route = RecoveryRoute.Margins,
            RecoveredValue = (System.Numerics.BigInteger?)3,
        });
        before[0].Row.Breakdown.Should().Be("team:A");

        var result = new DisclosureControl(Standard).Apply(grid.ToTable());
        var after = RecoveryVerifier.FindRecoverableCells(grid.Publish(result), grid.VerifierOptions());

        after.Should().BeEmpty();
        result.Count(KpiGrid.NumeratorId(grid.Entries[2])).Reason.Should().Be(SuppressionReason.Secondary);
    }

    [Fact]
    public void Secondary_suppression_covers_breakdown_margins_and_quarter_totals_together()
    {
        // Denominators: 50 per team per quarter, so every margin adds up.
        GridEntry E(string quarter, string breakdown, long n) =>
            new("C1", quarter, "KPI01", "m", breakdown, n, (quarter == "2018" ? 2 : 1) * (breakdown == "all" ? 100 : 50));
        GridEntry[] entries =
        [
            E("2018Q1", "all", 30), E("2018Q1", "team:A", 3), E("2018Q1", "team:B", 27),
            E("2018Q2", "all", 40), E("2018Q2", "team:A", 12), E("2018Q2", "team:B", 28),
            E("2018", "all", 70), E("2018", "team:A", 15), E("2018", "team:B", 55),
        ];
        var grid = new KpiGrid(
            entries,
            new Dictionary<string, IReadOnlyList<string>> { ["2018"] = ["2018Q1", "2018Q2"] });

        RecoveryVerifier.FindRecoverableCells(grid.PublishPrimaryOnly(Standard), grid.VerifierOptions()).Should().NotBeEmpty();

        var result = new DisclosureControl(Standard).Apply(grid.ToTable());

        RecoveryVerifier.FindRecoverableCells(grid.Publish(result), grid.VerifierOptions()).Should().BeEmpty();
        // Q1's team B hides A from Q1's total, Q2's team A hides it from the year's team A, and Q2's B closes the rectangle.
        result.Counts.Where(c => c.Reason == SuppressionReason.Secondary).Select(c => c.Id).Should().BeEquivalentTo(
            ["N|C1|2018Q1|KPI01|m|team:B", "N|C1|2018Q2|KPI01|m|team:A", "N|C1|2018Q2|KPI01|m|team:B"]);
    }

    [Fact]
    public void Refuses_quantity_keys_that_give_one_quantity_two_published_values()
    {
        KpiValueRow[] rows = [Row("all", 10, 30, measure: "a"), Row("all", 10, 31, measure: "b")];

        var act = () => RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(DenominatorQuantity: r => r.Breakdown));

        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Finds_a_cell_recoverable_only_by_combining_a_breakdown_margin_with_a_quarter_total()
    {
        // Q1 hides both teams, so Q1 alone is safe; but the year row publishes each team's total,
        // so Q1's B = year B − Q2's B, and then Q1's and Q2's A follow.
        KpiValueRow[] rows =
        [
            Row("all", 30, 100, quarter: "2018Q1"), Row("team:A", null, 40, "[c]", quarter: "2018Q1"), Row("team:B", null, 60, "[c]", quarter: "2018Q1"),
            Row("all", 30, 100, quarter: "2018Q2"), Row("team:A", null, 40, "[c]", quarter: "2018Q2"), Row("team:B", 28, 60, quarter: "2018Q2"),
            Row("all", 60, 200, quarter: "2018"), Row("team:A", 5, 80, quarter: "2018"), Row("team:B", 55, 120, quarter: "2018"),
        ];
        var options = new RecoveryOptions(QuarterTotals: new Dictionary<string, IReadOnlyList<string>> { ["2018"] = ["2018Q1", "2018Q2"] });

        var found = RecoveryVerifier.FindRecoverableCells(rows, options);

        found.Select(f => (f.Row.Quarter, f.Row.Breakdown, (long)f.RecoveredValue!.Value)).Should().BeEquivalentTo(
            [("2018Q1", "team:A", 3L), ("2018Q1", "team:B", 27L), ("2018Q2", "team:A", 2L)]);
        RecoveryVerifier.FindRecoverableCells(rows).Select(f => f.Row.Quarter).Should().Equal(["2018Q2"], "without the year total only Q2's subtraction is visible");
    }

    [Fact]
    public void Finds_a_suppressed_count_whose_row_still_publishes_its_rate()
    {
        KpiValueRow[] rows = [Row("all", null, 40, "[c]", value: 0.075)];

        RecoveryVerifier.FindRecoverableCells(rows).Should().ContainSingle().Which.Route.Should().Be(RecoveryRoute.Rate);
    }

    [Fact]
    public void Finds_a_suppressed_denominator_published_for_another_measure_of_the_same_people()
    {
        KpiValueRow[] rows =
        [
            Row("all", 12, 30, measure: "a"), Row("age:child", 10, 27, measure: "a"), Row("age:adult", 2, null, "[c]", measure: "a"),
            Row("all", 20, 30, measure: "b"), Row("age:child", 17, 27, measure: "b"), Row("age:adult", 3, 3, "[c]", measure: "b"),
        ];

        var found = RecoveryVerifier.FindRecoverableCells(rows);

        found.Should().Contain(f => f.Row.Measure == "a" && f.Role == CountRole.Denominator && f.Route == RecoveryRoute.PublishedElsewhere);
    }

    [Fact]
    public void Does_not_equate_denominators_that_are_published_with_different_values()
    {
        KpiValueRow[] rows =
        [
            Row("all", 12, 30, measure: "a"), Row("age:child", null, null, "[c]", measure: "a"), Row("age:adult", null, null, "[c]", measure: "a"),
            Row("all", 20, 31, measure: "b"), Row("age:child", 17, 28, measure: "b"), Row("age:adult", null, 3, "[c]", measure: "b"),
        ];

        RecoveryVerifier.FindRecoverableCells(rows).Where(f => f.Row.Measure == "a").Should().BeEmpty();
    }

    [Fact]
    public void Finds_suppressed_zeros_pinned_by_non_negative_counts()
    {
        KpiValueRow[] rows =
        [
            Row("all", 10, 50), Row("team:A", null, 20, "[c]"), Row("team:B", null, 20, "[c]"), Row("team:C", 10, 10),
        ];

        var found = RecoveryVerifier.FindRecoverableCells(rows);

        found.Should().HaveCount(2).And.OnlyContain(f => f.Route == RecoveryRoute.Margins && f.RecoveredValue == 0);
    }

    [Fact]
    public void Finds_nothing_when_every_margin_has_two_unknowns_and_no_bound_pins_them()
    {
        KpiValueRow[] rows =
        [
            Row("all", 20, 50), Row("team:A", null, 20, "[c]"), Row("team:B", null, 20, "[c]"), Row("team:C", 10, 10),
        ];

        RecoveryVerifier.FindRecoverableCells(rows).Should().BeEmpty();
    }

    private static readonly RowPublication RoundedRate = new("proportion", true, true, Threshold: 4, SuppressZeros: false, RoundingBase: 5);

    [Fact]
    public void Finds_a_count_given_back_by_a_rate_computed_from_exact_counts_beside_rounded_ones()
    {
        // The old publisher: 6 of 27 published as 5 and 25, with the rate 6/27 from the exact counts.
        KpiValueRow[] rows = [Row("all", 5, 25, value: 6.0 / 27)];

        var found = RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(Publication: _ => RoundedRate));

        found.Select(f => (f.Role, f.Route, (long)f.RecoveredValue!.Value)).Should().BeEquivalentTo(
            [(CountRole.Numerator, RecoveryRoute.Value, 6L), (CountRole.Denominator, RecoveryRoute.Value, 27L)]);
    }

    [Fact]
    public void Finds_a_count_given_back_by_exact_days_divided_by_an_average()
    {
        // Six plans lasting 1,524 days in all: the count is published as 5, but the exact day total over the average gives 6.
        var average = new RowPublication("average_days", NumeratorIsCount: false, DenominatorIsCount: true, 4, false, 5);
        KpiValueRow[] rows = [Row("all", 1524, 5, value: 254.0)];

        var found = RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(Publication: _ => average));

        found.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Role = CountRole.Denominator, Route = RecoveryRoute.Value, RecoveredValue = (System.Numerics.BigInteger?)6 });
    }

    [Fact]
    public void Finds_counts_given_back_by_a_change_computed_from_exact_counts_beside_rounded_ones()
    {
        // 8 incidents after and 12 before, both published as 10, with the change −4 from the exact counts: only 8 and 12 fit.
        var change = new RowPublication("change", NumeratorIsCount: true, DenominatorIsCount: true, 4, false, 5);
        KpiValueRow[] rows = [Row("all", 10, 10, value: -4.0)];

        var found = RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(Publication: _ => change));

        found.Select(f => (f.Role, f.Route, (long)f.RecoveredValue!.Value)).Should().BeEquivalentTo(
            [(CountRole.Numerator, RecoveryRoute.Value, 8L), (CountRole.Denominator, RecoveryRoute.Value, 12L)]);
        RecoveryVerifier.FindRecoverableCells([Row("all", 10, 10, value: 0.0)], new RecoveryOptions(Publication: _ => change))
            .Should().BeEmpty("a change worked out from the published counts tells nothing more");
    }

    [Fact]
    public void Finds_rounded_counts_their_margins_pin_to_their_exact_values()
    {
        // 37 = 8 + 8 + 8 + 13, each rounded to 5: parts of at least 8, 8, 8 and 13 reach a total of at most 37 only at their lowest.
        KpiValueRow[] rows = [Row("all", 35, null), Row("team:A", 10, null), Row("team:B", 10, null), Row("team:C", 10, null), Row("team:D", 15, null)];
        var counts = new RowPublication("count", true, false, 4, false, 5);

        var found = RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(Publication: _ => counts));

        found.Select(f => (f.Row.Breakdown, (long)f.RecoveredValue!.Value)).Should().BeEquivalentTo(
            [("all", 37L), ("team:A", 8L), ("team:B", 8L), ("team:C", 8L), ("team:D", 13L)]);
        found.Should().OnlyContain(f => f.Route == RecoveryRoute.Margins);
    }

    [Fact]
    public void Finds_nothing_when_values_come_from_the_rounded_numbers_and_the_margins_leave_room()
    {
        KpiValueRow[] rows = [Row("all", 30, 50, value: 0.6), Row("team:A", 10, 25, value: 0.4), Row("team:B", 20, 25, value: 0.8)];

        RecoveryVerifier.FindRecoverableCells(rows, new RecoveryOptions(Publication: _ => RoundedRate)).Should().BeEmpty();
    }

    private static readonly RowPublication HealthCount = new("count", true, false, 7, false, 5);

    private static KpiValueRow Cell(string table, string measure, long? count, string quarter = "*") =>
        new("*", quarter, table, measure, "all", count, null, null, count is null ? "[c]" : "");

    [Fact]
    public void Finds_rounded_parts_that_a_total_shown_exactly_in_another_table_pins()
    {
        // link_quality's rounded 25 = 10 linked + 0 ambiguous + 10 unlinked leaves room; the deliveries table's exact 24 rows do not.
        KpiValueRow[] rows =
        [
            Cell("link_quality", "records", 25), Cell("link_quality", "linked", 10), Cell("link_quality", "ambiguous", 0), Cell("link_quality", "unlinked", 10),
            Cell("deliveries", "rows", 24),
        ];
        QuantityRelation[] sums = [new(["records"], ["linked", "ambiguous", "unlinked"])];
        RecoveryOptions Reader(params QuantityRelation[] relations) => new(
            NumeratorQuantity: r => r.Measure,
            Publication: r => r.Indicator == "deliveries" ? HealthCount with { Threshold = 0, RoundingBase = null } : HealthCount,
            Relations: [.. sums, .. relations]);

        RecoveryVerifier.FindRecoverableCells(rows, Reader()).Should().BeEmpty("on its own the table leaves room");

        var found = RecoveryVerifier.FindRecoverableCells(rows, Reader(new QuantityRelation(["rows"], ["records"])));

        found.Select(f => (f.Row.Measure, (long)f.RecoveredValue!.Value)).Should().BeEquivalentTo([("records", 24L), ("linked", 12L), ("unlinked", 12L)]);
    }

    [Fact]
    public void Finds_a_count_that_an_inequality_across_rows_pins()
    {
        // A feed's first key decides every record carrying it that it matches, so the key's ambiguous are at most the feed's 0:
        // the key's withheld ambiguous is 0, and its withheld unlinked is its 1 record.
        KpiValueRow[] rows =
        [
            Cell("all", "records", 3), Cell("all", "linked", null), Cell("all", "ambiguous", 0), Cell("all", "unlinked", null),
            Cell("nhs", "records", 1), Cell("nhs", "linked", 0), Cell("nhs", "ambiguous", null), Cell("nhs", "unlinked", null),
        ];
        List<QuantityRelation> relations =
        [
            new(["all.records"], ["all.linked", "all.ambiguous", "all.unlinked"]), new(["nhs.records"], ["nhs.linked", "nhs.ambiguous", "nhs.unlinked"]),
        ];
        RecoveryOptions Reader() => new(NumeratorQuantity: r => r.Indicator + "." + r.Measure, Publication: _ => HealthCount with { RoundingBase = null }, Relations: relations);
        RecoveryVerifier.FindRecoverableCells(rows, Reader()).Should().BeEmpty();

        relations.Add(new(["all.ambiguous"], ["nhs.ambiguous"], LeftAtLeast: true));

        // The 0 is not a disclosure (the rules show zeros here); the 1 is.
        RecoveryVerifier.FindRecoverableCells(rows, Reader()).Select(f => (f.Row.Indicator + "." + f.Row.Measure, (long)f.RecoveredValue!.Value))
            .Should().Equal(("nhs.unlinked", 1L));
    }

    [Fact]
    public void Finds_a_withheld_count_shown_elsewhere_in_the_other_role()
    {
        // A cohort's children: the cohorts table's count, a measure's denominator. Withheld as a denominator, shown in the cohorts table.
        KpiValueRow[] rows = [new("C1", "*", "cohorts", "children", "all", 10, null, null, ""), new("C1", "2018Q1", "KPI01", "m", "all", 3, null, null, "[c]")];
        var reader = new RecoveryOptions(
            NumeratorQuantity: r => r.Indicator == "cohorts" ? "C1.children" : "C1.2018Q1.m",
            DenominatorQuantity: r => r.Indicator == "cohorts" ? "none" : "C1.children");

        RecoveryVerifier.FindRecoverableCells(rows, reader).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Role = CountRole.Denominator, Route = RecoveryRoute.PublishedElsewhere, RecoveredValue = (System.Numerics.BigInteger?)10 });
    }

    [Fact]
    public void Finds_a_withheld_count_bounded_by_the_same_quantity_shown_in_another_row()
    {
        // Cohort coverage decided per feed: a quarter's 0 cohort people shown ([z]) in a health feed's row, withheld with the
        // police feed's 0 people reached. The people reached are at most the cohort's.
        var sensitive = new RowPublication("proportion", true, true, 9, true, 5);
        var health = sensitive with { Threshold = 7, SuppressZeros = false };
        KpiValueRow[] rows =
        [
            new("*", "2016Q1", "coverage", "police", "all", null, null, null, "[c]"),
            new("*", "2016Q1", "coverage", "mental-health", "all", 0, 0, null, "[z]"),
        ];
        var reader = new RecoveryOptions(
            NumeratorQuantity: r => r.Measure + ".reached",
            DenominatorQuantity: _ => "cohort",
            Publication: r => r.Measure == "police" ? sensitive : health,
            Relations: [new(["cohort"], ["police.reached"], LeftAtLeast: true)]);

        RecoveryVerifier.FindRecoverableCells(rows, reader).Where(f => f.Row.Measure == "police").Select(f => (f.Role, f.Route, (long)f.RecoveredValue!.Value))
            .Should().BeEquivalentTo([(CountRole.Numerator, RecoveryRoute.Margins, 0L), (CountRole.Denominator, RecoveryRoute.PublishedElsewhere, 0L)]);
    }

    [Fact]
    public void Ignores_counts_that_are_unavailable_rather_than_suppressed()
    {
        KpiValueRow[] rows = [Row("all", 20, 50), Row("team:A", null, 20, "[x]"), Row("team:B", 15, 30)];

        RecoveryVerifier.FindRecoverableCells(rows).Should().BeEmpty();
    }
}
