using DataHub.Core.Kpis;

namespace DataHub.Kpis.Tests.Kpis;

/// <summary>The age rules from birth year and month, and quarter arithmetic.</summary>
public sealed class PersonAgeAndQuarterTests
{
    [Theory]
    [InlineData(2013, 3, 4)]   // born March 2013: 4 on 31 Aug 2017
    [InlineData(2012, 8, 5)]   // an August birthday has always happened by 31 August
    [InlineData(2001, 9, 15)]  // a September birthday never has
    [InlineData(2001, 8, 16)]
    public void Age_on_31_August_is_exact_from_year_and_month(int year, int month, int age) =>
        PersonAge.OnAugust31(year, month, 2017).Should().Be(age);

    [Theory]
    [InlineData(2017, 9, 1, 2017)]
    [InlineData(2018, 8, 31, 2017)]
    [InlineData(2018, 3, 29, 2017)]
    public void Academic_year_starts_on_1_September(int y, int m, int d, int augustYear) =>
        PersonAge.AugustBeforeAcademicYear(new DateOnly(y, m, d)).Should().Be(new DateOnly(augustYear, 8, 31));

    [Fact]
    public void A_person_turning_18_in_the_FS_start_month_counts_as_an_adult()
    {
        PersonAge.IsChildOn(2000, 1, new DateOnly(2018, 1, 5)).Should().BeFalse();
        PersonAge.IsChildOn(2000, 2, new DateOnly(2018, 1, 5)).Should().BeTrue();
    }

    [Fact]
    public void Quarters_parse_print_and_bound_their_dates()
    {
        var q = Quarter.Parse("2018Q1");
        q.Start.Should().Be(new DateOnly(2018, 1, 1));
        q.End.Should().Be(new DateOnly(2018, 3, 31));
        q.Next().ToString().Should().Be("2018Q2");
        new Quarter(2018, 4).Next().Should().Be(new Quarter(2019, 1));
        Quarter.Of(new DateOnly(2019, 12, 31)).ToString().Should().Be("2019Q4");
        Quarter.TryParse("2018Q5", out _).Should().BeFalse();
        Quarter.Range(Quarter.Parse("2017Q4"), Quarter.Parse("2018Q2")).Select(x => x.ToString()).Should().Equal("2017Q4", "2018Q1", "2018Q2");
    }

    [Fact]
    public void Repeats_are_incidents_minus_one_floored_at_zero()
    {
        DomesticAbuse.Repeats(0).Should().Be(0);
        DomesticAbuse.Repeats(1).Should().Be(0);
        DomesticAbuse.Repeats(5).Should().Be(4);
    }

    [Fact]
    public void Quarters_count_forward_and_back_across_years()
    {
        Quarter.Parse("2018Q1").Add(-4).Should().Be(Quarter.Parse("2017Q1"));
        Quarter.Parse("2017Q4").Add(1).Should().Be(Quarter.Parse("2018Q1"));
        Quarter.Parse("2016Q4").QuartersSince(Quarter.Parse("2017Q4")).Should().Be(-4);
        Quarter.Parse("2019Q2").Label.Should().Be("Apr–Jun 2019");
    }

    [Fact]
    public void The_quarter_dimension_gives_dates_labels_financial_years_and_a_sort_order()
    {
        var table = DataHub.Core.Rollup.QuarterDimension.Table(Quarter.Parse("2017Q4"), Quarter.Parse("2018Q2"));

        table.Name.Should().Be("quarters");
        table.Rows.Select(r => ((string)r[0]!, (DateOnly)r[1]!, (DateOnly)r[2]!, (string)r[3]!, (string)r[6]!, (int)r[7]!)).Should().Equal(
            ("2017Q4", new DateOnly(2017, 10, 1), new DateOnly(2017, 12, 31), "Oct–Dec 2017", "2017-18", 8071),
            ("2018Q1", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31), "Jan–Mar 2018", "2017-18", 8072),
            ("2018Q2", new DateOnly(2018, 4, 1), new DateOnly(2018, 6, 30), "Apr–Jun 2018", "2018-19", 8073));
    }

    [Fact]
    public void Quarter_tables_over_different_ranges_give_a_quarter_the_same_sort_key()
    {
        // The KPI tables span the cohorts' quarters, the governance tables every delivery's: a report relating both must
        // not find 2016Q4 sorted 0 in one and 8 in the other.
        static Dictionary<string, int> Sorts(string first, string last) => DataHub.Core.Rollup.QuarterDimension
            .Table(Quarter.Parse(first), Quarter.Parse(last)).Rows.ToDictionary(r => (string)r[0]!, r => (int)r[7]!);
        var kpi = Sorts("2016Q4", "2021Q1");
        var governance = Sorts("2014Q4", "2026Q4");

        kpi.Should().OnlyContain(q => governance[q.Key] == q.Value);
    }
}
