using DataHub.Core.Disclosure;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Rollup;

namespace DataHub.Kpis.Tests.Disclosure;

/// <summary>
/// Sums a reader can form across measures: every CP plan active in a quarter (KPI01.active_plans) either closed in it or is
/// open at its end (KPI02's two plan counts). Without rounding to hide them, two of the three published give the third.
/// </summary>
[Collection(DemoCollection.Name)]
public sealed class CrossMeasureSumTests(DemoHub demo)
{
    [Fact]
    public void A_withheld_plan_count_cannot_be_worked_out_from_active_plans_minus_the_other_KPI02_count()
    {
        // The demo's computed results under an agreement that withholds 1 to 4 and publishes the rest exactly.
        var values = new KpiPublisher(new Dictionary<string, DisclosureProfile>(), new DisclosureProfile("unrounded", threshold: 4))
            .Publish(demo.Exact).Values;
        long? Count(PublishedKpiValue row) => row.MeasureKey == "KPI01.active_plans" ? row.Numerator : row.Denominator;
        var byPlace = values
            .Where(v => v.MeasureKey is "KPI01.active_plans" or "KPI02.avg_days_closed_in_quarter" or "KPI02.avg_days_open_at_quarter_end")
            .GroupBy(v => (v.Cohort, v.Quarter, v.BreakdownType, v.BreakdownValue))
            .Select(g => g.ToDictionary(v => v.MeasureKey, v => (Count(v), v.Marker)))
            .Where(g => g.Count == 3)
            .ToList();
        byPlace.Should().Contain(g => g.Values.Any(c => c.Marker == "[c]"), "the demo has small plan counts to protect");

        var solvable = byPlace.Where(g => g.Values.Count(c => c.Item1 is null && c.Marker == "[c]") == 1 && g.Values.Count(c => c.Item1 is not null) == 2);

        solvable.Should().BeEmpty("active plans = plans closed in the quarter + plans open at its end");
    }
}
