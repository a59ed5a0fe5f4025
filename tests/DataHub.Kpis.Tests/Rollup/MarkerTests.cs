using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>What each marker means, pinned on the boundary fixture published by the RollupQuarter job.</summary>
public sealed class MarkerTests : IDisposable
{
    private readonly FixtureRollup _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task A_quarter_the_police_feed_was_not_received_for_is_x_never_zero()
    {
        // Two monthly deliveries: January 2016 … March 2018, then July … September 2018. April to June never arrived.
        var f = new BoundaryFixture();
        await MartFileWriter.WriteAsync(_hub.Store, f, withPolice: false);
        var (from, to) = BoundaryFixture.Received;
        await MartFileWriter.WriteIncidentsAsync(_hub.Store,
            [.. f.Incidents.Where(i => i.IncidentDate <= new DateOnly(2018, 3, 31)), MartFileWriter.Incident("O1", from), MartFileWriter.Incident("O2", new DateOnly(2018, 3, 31))], "p1");
        await MartFileWriter.WriteIncidentsAsync(_hub.Store,
            [.. f.Incidents.Where(i => i.IncidentDate >= new DateOnly(2018, 7, 1)), MartFileWriter.Incident("O3", new DateOnly(2018, 7, 1)), MartFileWriter.Incident("O4", to)], "p2");

        var run = await _hub.RunAsync(FixtureRollup.Exact);

        (await _hub.ValueAsync(run, "2018Q2", "KPI17.incidents_in_quarter")).Should().BeEquivalentTo(
            new { Numerator = (long?)null, Denominator = (long?)null, Value = (double?)null, Marker = "[x]" });
        (await _hub.ValueAsync(run, "2018Q1", "KPI17.incidents_in_quarter")).Should().BeEquivalentTo(new { Value = (double?)6, Marker = "" });
        (await _hub.ValueAsync(run, "2018Q3", "KPI17.incidents_in_quarter")).Should().BeEquivalentTo(new { Value = (double?)0, Marker = "" }, "a quarter received with no incident is a true zero");
        // The 12 months to the end of 2018Q2 and 2018Q3 both reach into the missing months.
        (await _hub.ValueAsync(run, "2018Q2", "KPI19.people_flagged")).Marker.Should().Be("[x]");
        (await _hub.ValueAsync(run, "2018Q3", "KPI19.people_flagged")).Marker.Should().Be("[x]");
        (await _hub.ValueAsync(run, "2018Q1", "KPI19.people_flagged")).Marker.Should().Be("");
        (await _hub.ValueAsync(run, "2018Q3", "KPI17.incidents_12m_before_fs")).Value.Should().Be(5, "the year before FS start was received");
    }

    [Fact]
    public async Task Aggregate_figures_the_ICB_did_not_send_are_x_and_a_sent_zero_stays_zero()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());

        var run = await _hub.RunAsync(FixtureRollup.Exact);

        // No row for cohort T in 2018Q2; in 2018Q1 the adults' admissions row came without a number of admissions.
        (await _hub.ValuesAsync(run)).Where(r => r.Quarter == "2018Q2" && r.Indicator == "KPI08").Should().OnlyContain(r => r.Marker == "[x]" && r.Numerator == null);
        (await _hub.ValueAsync(run, "2018Q1", "KPI09.emergency_admissions", "age_group:adult")).Marker.Should().Be("[x]");
        (await _hub.ValueAsync(run, "2018Q1", "KPI09.emergency_admissions")).Marker.Should().Be("[x]", "a total with a part missing is missing too");
        (await _hub.ValueAsync(run, "2018Q1", "KPI09.people_with_emergency_admissions", "age_group:adult")).Should().BeEquivalentTo(new { Value = (double?)1, Marker = "" });
        (await _hub.ValueAsync(run, "2018Q1", "KPI08.ae_attendances_rate")).Should().BeEquivalentTo(new { Numerator = (long?)5, Denominator = (long?)21, Marker = "" });
    }

    [Fact]
    public async Task A_small_count_is_withheld_as_c_with_no_number_in_its_row()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());

        var run = await _hub.RunAsync(FixtureRollup.Standard);

        // Two adults of eight were flagged: 2 is below the threshold of 4.
        (await _hub.ValueAsync(run, "2018Q3", "KPI19.people_flagged")).Should().BeEquivalentTo(
            new { Numerator = (long?)null, Denominator = (long?)null, Value = (double?)null, Marker = "[c]" });
    }

    [Fact]
    public async Task A_value_over_a_base_below_the_minimum_is_shown_and_marked_u()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());

        var run = await _hub.RunAsync(new DisclosureProfile("minimum", 0, minimumDenominator: 10));

        // One adult of the eight being worked with: the value is shown, but eight is under the minimum of ten.
        (await _hub.ValueAsync(run, "2018Q1", "KPI19.people_flagged")).Should().BeEquivalentTo(
            new { Numerator = (long?)1, Denominator = (long?)8, Value = (double?)0.125, Marker = "[u]" });
    }

    [Fact]
    public async Task A_rate_over_none_and_a_comparison_whose_window_is_still_open_are_z()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());

        var run = await _hub.RunAsync(FixtureRollup.Exact);

        // No new CP plan in 2018Q2: a share of none.
        (await _hub.ValueAsync(run, "2018Q2", "KPI03.repeat_within_12m_rate")).Should().BeEquivalentTo(
            new { Numerator = (long?)0, Denominator = (long?)0, Value = (double?)null, Marker = "[z]" });
        // The 12 months after FS start of a family starting on 31 March 2018 run to 30 March 2019.
        (await _hub.ValueAsync(run, "2018Q3", "KPI17.incidents_change")).Should().BeEquivalentTo(
            new { Numerator = (long?)null, Denominator = (long?)null, Value = (double?)null, Marker = "[z]" });
        var window = await DuckDb.QueryAsync($"select distinct time_window, window_start, window_end from read_parquet({DuckDb.Literal(_hub.Local(run.VersionPath + "/kpi_values.parquet"))}) where measure_key = 'KPI17.incidents_change'");
        window.Rows.Single().Select(v => v.GetString()).Should().Equal("12m_before_and_after_fs", "2017-01-01", "2019-03-30");
    }

    [Fact]
    public async Task Low_marks_only_a_non_zero_count_that_rounds_to_zero()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());

        var run = await _hub.RunAsync(new DisclosureProfile("rounded only", 0, roundingBase: 5));

        (await _hub.ValueAsync(run, "2018Q1", "KPI03.new_plans")).Should().BeEquivalentTo(new { Numerator = (long?)null, Value = (double?)null, Marker = "[low]" });
        (await _hub.ValueAsync(run, "2018Q2", "KPI03.new_plans")).Should().BeEquivalentTo(new { Numerator = (long?)0, Value = (double?)0, Marker = "" });
    }

    [Fact]
    public async Task The_markers_table_explains_every_marker_kpi_values_uses()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var run = await _hub.RunAsync(FixtureRollup.Standard);

        var table = await DuckDb.QueryAsync($"select marker, name, meaning from read_parquet({DuckDb.Literal(_hub.Local(run.VersionPath + "/markers.parquet"))})");
        var used = await DuckDb.QueryAsync($"select distinct marker from read_parquet({DuckDb.Literal(_hub.Local(run.VersionPath + "/kpi_values.parquet"))})");

        table.Rows.Select(r => r[0].GetString()).Should().BeEquivalentTo(Enum.GetValues<DisclosureMarker>().Select(m => m.ToText()));
        used.Rows.Select(r => r[0].GetString()).Should().BeSubsetOf(table.Rows.Select(r => r[0].GetString()));
        table.Rows.Single(r => r[0].GetString() == "[x]")[2].GetString().Should().Contain("not received").And.Contain("not zero");
    }
}
