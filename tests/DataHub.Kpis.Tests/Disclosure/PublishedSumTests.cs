using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>
/// Sums of days and sessions grow with the count they are over: every pupil of a term has about the same possible sessions
/// (the school calendar), so a sum rounded on its own gives the rounded pupil count back (950 sessions of 158 a pupil is 6
/// pupils, where the count shows only "5, meaning 5 to 7"). Pinned on hand-built results published by the KPI publisher.
/// </summary>
public sealed class PublishedSumTests
{
    private static readonly CohortDefinition Cohort = new("C1", new DateOnly(2017, 10, 1), new DateOnly(2017, 12, 31));
    private static readonly DisclosureProfile Standard = new("standard", threshold: 4, roundingBase: 5, minimumDenominator: 10);

    // Each unit brings the same amounts, as every pupil of a term does: the published row must not depend on how many units
    // stand behind a published count, or the sums tell the exact count.
    [Theory]
    [InlineData("KPI07", "unauthorised_absence_rate", 6, 7)]
    [InlineData("KPI07", "unauthorised_absence_rate", 18, 22)]
    [InlineData("KPI02", "avg_days_closed_in_quarter", 5, 7)]
    [InlineData("KPI02", "avg_days_closed_in_quarter", 8, 12)]
    public void A_sum_of_days_or_sessions_does_not_tell_which_count_stands_behind_a_rounded_one(string indicator, string measure, long units, long otherUnits)
    {
        Standard.Round(units).Should().Be(Standard.Round(otherUnits), "both counts are published as the same rounded count");

        var one = Publish(indicator, measure, units, Standard);
        var other = Publish(indicator, measure, otherUnits, Standard);

        one.Marker.Should().NotBe("[c]");
        other.Should().BeEquivalentTo(one, "a reader must not tell the two apart");
        one.Value.Should().BeApproximately(indicator == "KPI07" ? 6.0 / 158 : 254, indicator == "KPI07" ? 0.002 : 1,
            "the value stays close to the exact average per unit");
    }

    [Fact]
    public void A_sum_over_a_count_published_exactly_is_the_exact_sum()
    {
        var row = Publish("KPI07", "unauthorised_absence_rate", 7, new DisclosureProfile("exact", 0));

        row.Should().BeEquivalentTo(new { Numerator = (long?)42, Denominator = (long?)1106, Value = (double?)(42.0 / 1106) });
    }

    [Fact]
    public void An_average_that_does_not_name_the_count_it_is_over_is_refused()
    {
        var act = () => new KpiCalculator(new KpiOptions(), [new UnguardedAverage()]);

        act.Should().Throw<InvalidOperationException>().WithMessage("*X01.avg_days*guard*");
    }

    // One cohort, one quarter, one row: each unit (a pupil, a plan) brings 6 unauthorised of 158 possible sessions, or 254 days.
    private static PublishedKpiValue Publish(string indicator, string measure, long units, DisclosureProfile profile)
    {
        var definition = KpiCatalog.Indicators.Single(i => i.Code == indicator).Measures.Single(m => m.Measure == measure);
        KpiCell Cell(string quantity, QuantityKind kind, long value, string? quarter = "2018Q1") =>
            new(KpiCell.MakeId(Cohort.Name, quarter, quantity, Breakdown.All), Cohort.Name, quarter, quantity, Breakdown.All, kind, value);

        var guard = Cell(definition.Guard!, QuantityKind.Count, units);
        var numerator = Cell(definition.Numerator, QuantityKind.Sum, units * (indicator == "KPI07" ? 6 : 254));
        var denominator = definition.Denominator == definition.Guard ? guard : Cell(definition.Denominator!, QuantityKind.Sum, units * 158);
        KpiCell[] populations = [.. new[] { CohortPopulations.Families, CohortPopulations.Children, CohortPopulations.Adults }.Select(q => Cell(q, QuantityKind.Count, 40, null))];
        var results = new KpiResults(
            [guard, numerator, .. denominator == guard ? Array.Empty<KpiCell>() : [denominator], .. populations],
            [new KpiRow(Cohort.Name, "2018Q1", definition, Breakdown.All, numerator, denominator, guard)],
            [],
            [],
            [new CohortSummary(Cohort, populations[0], populations[1], populations[2])],
            [Quarter.Parse("2018Q1")]);

        return new KpiPublisher(new Dictionary<string, DisclosureProfile>(), profile).Publish(results).Values.Single();
    }

    private sealed class UnguardedAverage : IKpiIndicator
    {
        public string Code => "X01";

        public string Title => "Unguarded average";

        public IReadOnlyList<QuantityDefinition> Quantities { get; } =
            [new("X01.plans", QuantityKind.Count), new("X01.days", QuantityKind.Sum)];

        public IReadOnlyList<MeasureDefinition> Measures { get; } =
            [new("X01", "avg_days", MeasureUnit.AverageDays, "X01.days", "X01.plans", null, "t", "d", "", "csc-cp-plans", BetterDirection.Lower)];

        public void Compute(QuarterContext context)
        {
        }
    }
}
