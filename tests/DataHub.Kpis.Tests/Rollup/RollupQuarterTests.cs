using System.Text;
using System.Text.Json;
using DataHub.Core.Audit;
using DataHub.Core.Disclosure;
using DataHub.Core.Kpis;
using DataHub.Core.Linkage;
using DataHub.Core.Rollup;
using DataHub.Kpis.Tests.Disclosure;
using DataHub.Kpis.Tests.Fixtures;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Rollup;

/// <summary>The RollupQuarter job over fixture marts: versions, pointer, manifest, audit, disclosure and determinism.</summary>
public sealed class RollupQuarterTests : IDisposable
{
    private static readonly string[] Tables = ["kpi_values", "kpi_definitions", "markers", "quarters", "link_quality", "cohorts"];
    private readonly FixtureRollup _hub = new();

    public void Dispose() => _hub.Dispose();

    [Fact]
    public async Task Publishes_each_table_as_parquet_and_csv_and_switches_current_to_the_new_version()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var outcome = await _hub.RunAsync(FixtureRollup.Standard);

        outcome.Quarters.Should().Equal(["2017Q1", "2017Q2", "2017Q3", "2017Q4", "2018Q1", "2018Q2", "2018Q3"], "the baseline year comes first");
        foreach (var table in Tables)
        {
            File.Exists(_hub.Local($"{outcome.VersionPath}/{table}.parquet")).Should().BeTrue(table);
            File.Exists(_hub.Local($"{outcome.VersionPath}/{table}.csv")).Should().BeTrue(table);
        }

        (await RollupQuarter.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().Be(outcome.VersionPath);
        var count = await DuckDb.QueryAsync($"select count(*) as n from read_parquet({DuckDb.Literal(_hub.Local(outcome.VersionPath + "/kpi_values.parquet"))})");
        FixtureRollup.Long(count.Rows[0][0]).Should().Be(outcome.KpiRows);
        var csv = await DuckDb.QueryAsync($"select count(*) as n from read_csv({DuckDb.Literal(_hub.Local(outcome.VersionPath + "/kpi_values.csv"))}, header = true)");
        FixtureRollup.Long(csv.Rows[0][0]).Should().Be(outcome.KpiRows);
        File.Exists(_hub.Local($"secure/kpi/v={outcome.RunId}/person_values.parquet")).Should().BeTrue();
        File.Exists(_hub.Local($"secure/kpi/v={outcome.RunId}/family_values.parquet")).Should().BeTrue();
    }

    [Fact]
    public async Task Published_values_are_the_computed_indicators_when_the_profile_suppresses_nothing()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var outcome = await _hub.RunAsync(FixtureRollup.Exact);

        var flagged = await _hub.ValueAsync(outcome, "2018Q3", "KPI19.people_flagged");
        flagged.Should().BeEquivalentTo(new { Numerator = (long?)2, Denominator = (long?)8, Value = (double?)0.25, Marker = "" });
        (await _hub.ValueAsync(outcome, "2018Q3", "KPI17.incidents_12m_before_fs")).Value.Should().Be(5);
        var cohorts = await DuckDb.QueryAsync($"select families, children, adults, first_quarter from read_parquet({DuckDb.Literal(_hub.Local(outcome.VersionPath + "/cohorts.parquet"))})");
        cohorts.Rows[0].Take(3).Select(FixtureRollup.Long).Should().Equal(10, 13, 11);
        cohorts.Rows[0][3].GetString().Should().Be("2018Q1");
    }

    [Fact]
    public async Task Rolling_up_one_quarter_publishes_a_version_that_still_holds_every_quarter()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var full = await _hub.RunAsync(FixtureRollup.Standard);

        var one = await _hub.RunAsync(FixtureRollup.Standard, Quarter.Parse("2018Q2"));

        (await RollupQuarter.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().Be(one.VersionPath);
        one.Quarters.Should().Equal(full.Quarters);
        var quarters = await DuckDb.QueryAsync($"select distinct quarter from read_parquet({DuckDb.Literal(_hub.Local(one.VersionPath + "/kpi_values.parquet"))}) order by 1");
        quarters.Rows.Select(r => r[0].GetString()).Should().Equal(full.Quarters);
        File.ReadAllBytes(_hub.Local($"{one.VersionPath}/kpi_values.csv")).Should().Equal(File.ReadAllBytes(_hub.Local($"{full.VersionPath}/kpi_values.csv")));
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(_hub.Local(one.VersionPath + "/manifest.json")));
        manifest.RootElement.GetProperty("requested_quarter").GetString().Should().Be("2018Q2");
    }

    [Fact]
    public async Task Refuses_a_quarter_the_tables_do_not_report_and_keeps_the_current_version()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var good = await _hub.RunAsync(FixtureRollup.Standard);

        var act = () => _hub.RunAsync(FixtureRollup.Standard, Quarter.Parse("2019Q1"));

        (await act.Should().ThrowAsync<RollupQuarterOutOfRangeException>()).WithMessage("*2019Q1*2017Q1 to 2018Q3*");
        (await RollupQuarter.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().Be(good.VersionPath);
    }

    [Fact]
    public async Task No_small_count_is_published_and_every_value_comes_from_the_numbers_beside_it()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var outcome = await _hub.RunAsync(FixtureRollup.Standard);
        var rows = await _hub.ValuesAsync(outcome);

        rows.Should().Contain(r => r.Marker == "[c]");
        rows.SelectMany(r => new[] { r.Numerator, r.Denominator }).OfType<long>().Should().OnlyContain(n => n == 0 || n % 5 == 0, "counts and sums are rounded to 5");
        rows.Where(r => r.Value is not null && r.Denominator is > 0 && !r.MeasureKey.EndsWith("_change", StringComparison.Ordinal))
            .Should().OnlyContain(r => Math.Abs(r.Value!.Value - ((double)r.Numerator!.Value / r.Denominator!.Value)) < 1e-12);
    }

    [Fact]
    public async Task The_definitions_say_what_is_rounded_to_what_and_the_thresholds()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var outcome = await _hub.RunAsync(FixtureRollup.Standard);

        var d = await DuckDb.QueryAsync($"""
            select measure_key, threshold, suppress_zeros, rounding_base, minimum_denominator, disclosure
            from read_parquet({DuckDb.Literal(_hub.Local(outcome.VersionPath + "/kpi_definitions.parquet"))})
            where measure_key in ('KPI02.avg_days_closed_in_quarter', 'KPI17.incidents_in_quarter') order by 1
            """);

        d.Rows.Select(r => (FixtureRollup.Long(r[1]), r[2].GetBoolean(), FixtureRollup.Long(r[3]), FixtureRollup.Long(r[4])))
            .Should().Equal(((long?)4, false, (long?)5, (long?)10), ((long?)4, false, (long?)5, (long?)10));
        d.Rows[0][5].GetString().Should().Contain("1 to 4").And.Contain("sums of days or sessions are rounded to the nearest 5")
            .And.Contain("worked out from the published numbers").And.Contain("fewer than 10");
        d.Rows[1][5].GetString().Should().Contain("counts are rounded to the nearest 5").And.NotContain("[u]", "a count has no denominator");
    }

    [Fact]
    public async Task The_independent_verifier_recovers_no_count()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        foreach (var profile in new[] { FixtureRollup.Standard, new DisclosureProfile("unrounded", 4, false, null, 10) })
        {
            var outcome = await _hub.RunAsync(profile);
            var published = await PublishedTables.ReadAsync(_hub.Local(outcome.VersionPath), feedRules: _ => new FeedRules(profile.Threshold, profile.SuppressZeros, profile.RoundingBase));
            published.Rows.Should().Contain(r => r.Marker == "[c]");

            RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options())
                .Select(c => $"{profile.Name} {c.Row.Quarter} {c.Row.Indicator}.{c.Row.Measure} {c.Row.Breakdown} {c.Role} {c.Route}")
                .Should().BeEmpty();
        }
    }

    [Fact]
    public async Task Publishes_when_a_cohort_has_no_families_yet()
    {
        // A cohort whose window no family's FS start falls in (a new cohort, or a small authority) has no teams, so its
        // team breakdowns have no parts; the rollup refused to publish anything ("must list at least one part").
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var empty = new CohortDefinition("E", new DateOnly(2018, 7, 1), new DateOnly(2018, 9, 30));

        var outcome = await _hub.RunAsync(FixtureRollup.Standard, cohorts: [BoundaryFixture.Cohort, empty]);

        var cohorts = await DuckDb.QueryAsync($"select cohort, families, children, adults from read_parquet({DuckDb.Literal(_hub.Local(outcome.VersionPath + "/cohorts.parquet"))}) order by 1");
        cohorts.Rows.Select(r => r[0].GetString()).Should().Equal("E", "T");
        cohorts.Rows[0].Skip(1).Select(FixtureRollup.Long).Should().Equal(0, 0, 0);
        var rows = await _hub.ValuesAsync(outcome);
        rows.Where(r => r.Cohort == "E").Should().NotBeEmpty().And.OnlyContain(r => r.BreakdownType != "team", "a cohort without families has no team");
        var standard = FixtureRollup.Standard;
        var published = await PublishedTables.ReadAsync(_hub.Local(outcome.VersionPath), feedRules: _ => new FeedRules(standard.Threshold, standard.SuppressZeros, standard.RoundingBase));
        RecoveryVerifier.FindRecoverableCells(published.Rows, published.Options()).Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_inputs_give_the_same_tables_and_the_previous_version_stays_readable()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var first = await _hub.RunAsync(FixtureRollup.Standard);
        var second = await _hub.RunAsync(FixtureRollup.Standard);

        second.VersionPath.Should().NotBe(first.VersionPath);
        (await RollupQuarter.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().Be(second.VersionPath);
        foreach (var table in Tables)
        {
            File.ReadAllBytes(_hub.Local($"{second.VersionPath}/{table}.csv")).Should().Equal(File.ReadAllBytes(_hub.Local($"{first.VersionPath}/{table}.csv")), table);
        }
    }

    [Fact]
    public async Task Refuses_marts_pseudonymised_under_another_key_version_and_keeps_the_current_version()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var good = await _hub.RunAsync(FixtureRollup.Standard);
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture(), batch: "b2", policeKeyVersion: "v2");

        var act = () => _hub.RunAsync(FixtureRollup.Standard);
        (await act.Should().ThrowAsync<KeyVersionMismatchException>()).Which.Feed.Should().Be("police-da-incidents");
        (await RollupQuarter.CurrentVersionAsync(_hub.Store, CancellationToken.None)).Should().Be(good.VersionPath);
    }

    [Fact]
    public async Task Records_an_audit_event_citing_the_manifest_with_input_hashes_and_received_periods()
    {
        await MartFileWriter.WriteAsync(_hub.Store, new BoundaryFixture());
        var outcome = await _hub.RunAsync(FixtureRollup.Standard);

        var events = new List<AuditEvent>();
        await foreach (var e in _hub.Audit.ReadAsync(CancellationToken.None))
        {
            events.Add(e);
        }

        var published = events.Single(e => e.Entry.Kind == RollupQuarter.AuditKind);
        published.Entry.FileSha256.Should().Be(outcome.ManifestSha256);
        var text = Encoding.UTF8.GetString(File.ReadAllBytes(_hub.Local(outcome.VersionPath + "/manifest.json")));
        using var manifest = JsonDocument.Parse(text);
        manifest.RootElement.GetProperty("key_version").GetString().Should().Be("v1");
        var inputs = manifest.RootElement.GetProperty("inputs").EnumerateArray().ToArray();
        inputs.Should().HaveCount(10);
        inputs.Should().OnlyContain(i => i.GetProperty("sha256").GetString()!.Length == 64 && i.GetProperty("batch_id").GetString() == "b1");
        manifest.RootElement.GetProperty("received").GetProperty("police-da-incidents")[0].GetString().Should().Be("2016-04-01/2018-09-30");
        text.Should().NotContain("v1:nd-").And.NotContain("2018-06-10", "record dates stay in the secure zone");
    }
}
