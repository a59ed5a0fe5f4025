using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataHub.Core.Feeds;
using DataHub.Core.Kpis;
using DataHub.Host.Commands;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 16, acceptance 1 and 4: the governance tables agree with the audit log, recomputed here from its events; nothing raw or withheld is published.</summary>
[Collection(GovernanceCollection.Name)]
public sealed partial class GovernanceTests(GovernanceFixture hub)
{
    private static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";

    private static long Count(JsonElement e, string name) =>
        e.TryGetProperty("counts", out var c) && c.TryGetProperty(name, out var v) ? v.GetInt64() : 0;

    private static string QuarterOf(JsonElement e) =>
        Quarter.Of(DateOnly.FromDateTime(DateTime.Parse(Text(e, "time"), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal))).ToString();

    /// <summary>Each file's events: from its received event to the next received event of the same content.</summary>
    private List<(JsonElement Received, List<JsonElement> Steps)> Files()
    {
        var files = new List<(JsonElement, List<JsonElement>)>();
        var open = new Dictionary<(string, string, string), List<JsonElement>>();
        foreach (var e in hub.AuditEvents)
        {
            var key = (Text(e, "partner"), Text(e, "feed"), Text(e, "file_sha256"));
            if (Text(e, "kind") == "received")
            {
                open[key] = [];
                files.Add((e, open[key]));
            }
            else if (open.TryGetValue(key, out var steps))
            {
                steps.Add(e);
            }
        }

        return files;
    }

    [Fact]
    public void Every_delivery_in_the_audit_log_appears_exactly_once_in_deliveries()
    {
        var deliveries = hub.Table(hub.GovernanceVersion, "deliveries");
        var received = hub.AuditEvents.Where(e => Text(e, "kind") is "received" or "path_refused").ToArray();

        received.Should().HaveCountGreaterThan(15, hub.Output.ToString());
        deliveries.Should().HaveCount(received.Length, "no attempt failed, so each received event is one delivery");
        foreach (var e in received)
        {
            var seq = e.GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture);
            deliveries.Where(d => d["audit_sequence"] == seq).Should().ContainSingle().Which.Should().Contain(new Dictionary<string, string>
            {
                ["partner"] = Text(e, "partner"),
                ["feed"] = Text(e, "feed"),
                ["content_sha256_prefix"] = Text(e, "file_sha256")[..Math.Min(12, Text(e, "file_sha256").Length)],
            });
        }

        deliveries.Select(d => d["outcome"]).Should().Contain(["stored", "partly_rejected", "quarantined", "duplicate"]);
    }

    [Fact]
    public void Rejection_counts_agree_with_the_rows_rejected_and_quarantined_events()
    {
        var expected = new Dictionary<(string, string, string, string), (long Rows, long Files)>();
        void Add(JsonElement e, string rule, long rows, long files)
        {
            var key = (Text(e, "partner"), Text(e, "feed"), QuarterOf(e), rule);
            var (r, f) = expected.GetValueOrDefault(key);
            expected[key] = (r + rows, f + files);
        }

        foreach (var e in hub.AuditEvents)
        {
            switch (Text(e, "kind"))
            {
                case "rows_rejected":
                    foreach (var rule in e.GetProperty("counts").EnumerateObject())
                    {
                        Add(e, rule.Name, rule.Value.GetInt64(), 0);
                    }

                    break;
                case "quarantined" or "path_refused":
                    Add(e, Text(e, "rule"), 0, 1);
                    break;
            }
        }

        var published = hub.Table(hub.GovernanceVersion, "rejections").ToDictionary(
            r => (r["partner"], r["feed"], r["quarter"], r["rule"]),
            r => (long.Parse(r["rows_rejected"], CultureInfo.InvariantCulture), long.Parse(r["files_quarantined"], CultureInfo.InvariantCulture)));
        published.Should().BeEquivalentTo(expected);
        expected.Keys.Select(k => k.Item4).Should().Contain(["row.duplicate", "rows.above_tolerance", "protocol.feed_not_in_agreement"], "the fixture's bad deliveries are all counted");
    }

    [Fact]
    public void Scorecard_delivery_and_row_counts_agree_with_the_audit_events()
    {
        // A file counts in the quarters it wrote mart files for; a re-send in its batch's quarters; otherwise in the quarter it arrived.
        var files = Files();
        // Quarter files' "written" events name their quarter folder; the batch manifest's (written last) names none.
        var batchQuarters = files.SelectMany(f => f.Steps).Where(s => Text(s, "kind") == "written" && QuarterFolder().IsMatch(Text(s, "path")))
            .GroupBy(s => Text(s, "batch_id")).ToDictionary(g => g.Key, g => g.Select(s => QuarterFolder().Match(Text(s, "path")).Groups[1].Value).ToHashSet());
        var expected = new Dictionary<(string, string, string), long[]>();
        foreach (var (received, steps) in files)
        {
            var written = steps.Where(s => Text(s, "kind") == "written" && QuarterFolder().IsMatch(Text(s, "path"))).Select(s => QuarterFolder().Match(Text(s, "path")).Groups[1].Value).ToHashSet();
            var batch = steps.Select(s => Text(s, "batch_id")).FirstOrDefault(b => b.Length > 0) ?? "";
            var quarters = written.Count > 0 ? written : batchQuarters.TryGetValue(batch, out var b) ? b : [QuarterOf(received)];
            var validated = steps.LastOrDefault(s => Text(s, "kind") == "validated" && Count(s, "rows_read") > 0);
            var quarantined = steps.Any(s => Text(s, "kind") == "quarantined");
            var duplicate = steps.Any(s => Text(s, "kind") == "duplicate");
            foreach (var q in quarters)
            {
                var key = (Text(received, "partner"), Text(received, "feed"), q);
                var sums = expected.TryGetValue(key, out var s) ? s : expected[key] = new long[5];
                sums[0]++;
                sums[1] += quarantined ? 1 : 0;
                sums[2] += duplicate ? 1 : 0;
                sums[3] += validated.ValueKind == JsonValueKind.Object ? Count(validated, "rows_read") : 0;
                sums[4] += validated.ValueKind == JsonValueKind.Object ? Count(validated, "rows_rejected") : 0;
            }
        }

        // The children's social care feeds' rows are counts about the cohort: the scorecard leaves them empty (-1 here).
        foreach (var key in expected.Keys.Where(k => FeedCatalog.CohortRecordFeeds.Contains(k.Item2)))
        {
            expected[key][3] = expected[key][4] = -1;
        }

        var scorecard = hub.Table(hub.GovernanceVersion, "scorecard");
        var published = scorecard.Where(r => r["deliveries"] != "0").ToDictionary(
            r => (r["partner"], r["feed"], r["quarter"]),
            r => new[] { "deliveries", "files_quarantined", "duplicate_files", "rows_read", "rows_rejected" }.Select(c => r[c].Length == 0 ? -1 : long.Parse(r[c], CultureInfo.InvariantCulture)).ToArray());
        published.Keys.Should().Contain(k => k.Item2 == "csc-people");

        // Every delivery of an agreed feed is scored (the wrong-feed file has no scorecard row: police has no school-attendance agreement).
        published.Should().BeEquivalentTo(expected.Where(kv => kv.Key.Item2 != "school-attendance" || kv.Key.Item1 == "schools").ToDictionary());
        published.Where(kv => kv.Key.Item1 == "police").Should().Contain(kv => kv.Value[2] == 1, "the re-sent file counts as a duplicate in its batch's quarters");
        published[("police", "police-da-incidents", hub.Root.Clock.GetUtcNow().Year + "Q4")].Take(3).Should().Equal([1L, 1L, 0L], "the file above tolerance stored nothing, so it counts in the quarter it arrived");
    }

    [Fact]
    public void Report_and_governance_tables_hold_no_raw_identifier_and_no_withheld_number()
    {
        // Due dates, arrival dates and quarter dates are calendar dates the hub works out; one may fall on someone's birthday.
        var calendar = new[] { ("scorecard", "expected_date"), ("scorecard", "actual_date"), ("quarters", "quarter_start"), ("quarters", "quarter_end") }
            .SelectMany(c => hub.Table(hub.GovernanceVersion, c.Item1).Select(r => r[c.Item2])).ToHashSet(StringComparer.Ordinal);
        var raw = hub.Dataset.RawValues.All.Where(v => v.Length >= 3 && !calendar.Contains(v)).ToHashSet(StringComparer.Ordinal);
        raw.Should().Contain(hub.Dataset.RawValues.Names.First()).And.Contain(hub.Dataset.RawValues.Identifiers.First());
        var outputs = hub.Root.Files("published").Where(f => f.StartsWith("published/governance/", StringComparison.Ordinal) || f.StartsWith("published/report/", StringComparison.Ordinal)).ToArray();
        outputs.Should().Contain(f => f.EndsWith(".html", StringComparison.Ordinal)).And.Contain(f => f.EndsWith("scorecard.parquet", StringComparison.Ordinal));
        foreach (var file in outputs)
        {
            var text = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(hub.Root.Path, file)));
            raw.Where(v => text.Contains(v, StringComparison.Ordinal)).Take(3).Should().BeEmpty($"{file} must not contain raw values");
        }

        // Coverage counts people: withheld ones show no number; the people reached are rounded, and none is a count the feed's
        // disclosure profile withholds (1 to its threshold, or zero when it suppresses zeros); the cohorts' people are the KPI
        // cohorts table's children and adults of the cohorts started by the quarter's end, added up.
        var protocols = DataHub.Storage.Local.ProtocolFolder.Load(Path.Combine(RepoPaths.Root, "functions", "protocols"));
        var profileOf = protocols.Partners.SelectMany(p => p.Feeds.Values).ToDictionary(f => f.Feed, f => protocols.Profiles[f.DisclosureProfile]);
        var sizes = hub.Table(hub.KpiVersion, "cohorts").ToArray();
        foreach (var row in hub.Table(hub.GovernanceVersion, "scorecard"))
        {
            if (row["coverage_marker"].Length > 0)
            {
                (row["cohort_people_reached"] + row["cohort_people"] + row["cohort_coverage"]).Should().BeEmpty($"{row["feed"]} {row["quarter"]} is {row["coverage_marker"]}");
                continue;
            }

            var profile = profileOf[row["feed"]];
            var smallest = (long)Math.Round((profile.Threshold + 1) / (double)profile.RoundingBase!.Value, MidpointRounding.AwayFromZero) * profile.RoundingBase.Value;
            var reached = long.Parse(row["cohort_people_reached"], CultureInfo.InvariantCulture);
            (reached % profile.RoundingBase.Value).Should().Be(0);
            reached.Should().Match(x => (x == 0 && !profile.SuppressZeros) || x >= smallest, $"{row["feed"]} is published under {profile.Name}: a count from 1 to {profile.Threshold} is withheld");
            var end = Quarter.Parse(row["quarter"]).End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            long.Parse(row["cohort_people"], CultureInfo.InvariantCulture).Should().Be(
                sizes.Where(c => string.CompareOrdinal(c["window_start"], end) <= 0).Sum(c => long.Parse(c["children"], CultureInfo.InvariantCulture) + long.Parse(c["adults"], CultureInfo.InvariantCulture)),
                $"{row["feed"]} {row["quarter"]}: the cohorts table's figures added up");
        }

        // In the report, a KPI figure withheld in kpi_values shows its marker and nothing else.
        var html = hub.Root.Text($"published/report/board-report-{hub.ReportQuarter}.html");
        var values = hub.Table(hub.KpiVersion, "kpi_values").Where(r => r["measure_key"] == "KPI01.children_with_active_plan" && r["breakdown_type"] == "all").ToArray();
        var table = TableRows().Matches(html[html.IndexOf("Data for the chart: Children on a child protection plan", StringComparison.Ordinal)..]).First().Groups[1].Value;
        var cells = Cell().Matches(table).Select(m => m.Groups[1].Value).ToArray();
        var cohorts = values.Select(v => v["cohort"]).Distinct().Order(StringComparer.Ordinal).ToArray();
        var checkedWithheld = 0;
        foreach (var row in values.Where(v => v["marker"] == "[c]" && string.CompareOrdinal(v["quarter"], hub.ReportQuarter.ToString()) <= 0))
        {
            var rowStart = Array.IndexOf(cells, row["quarter"]);
            cells[rowStart + 1 + Array.IndexOf(cohorts, row["cohort"])].Should().Be("[c]", $"{row["cohort"]} {row["quarter"]} is withheld");
            checkedWithheld++;
        }

        checkedWithheld.Should().BePositive();
    }

    [Fact]
    public void History_sent_before_the_agreements_began_is_not_scored_late_and_the_report_says_nothing_was_owed()
    {
        // The demo's extracts run to 2021; every agreement is in force from 1 January 2024, and the clock says November 2026.
        var scorecard = hub.Table(hub.GovernanceVersion, "scorecard");
        var history = scorecard.Where(r => string.CompareOrdinal(r["quarter"], "2023Q3") <= 0 && r["deliveries"] != "0").ToArray();
        history.Should().NotBeEmpty();
        history.Should().OnlyContain(r => r["periods_expected"] == "0" && r["periods_late"] == "0" && r["timeliness"] == "" && r["actual_date"].Length > 0);
        scorecard.Where(r => r["quarter"] == "2024Q2").Should().NotBeEmpty()
            .And.OnlyContain(r => r["timeliness"] == "red", "nothing was received for the months due since the agreements began, or only years late");

        var html = hub.Root.Text($"published/report/board-report-{hub.ReportQuarter}.html");
        html.Should().Contain("nothing owed (due outside the agreement dates)", $"the report's quarter, {hub.ReportQuarter}, is history");
    }

    [Fact]
    public void The_audit_chain_a_rollup_reports_to_the_board_is_checked_under_the_audit_key_and_against_the_anchors_outside_the_log()
    {
        // The rollup's own governance step, not the governance command: its chain check once ran without key or anchors.
        var chain = hub.Table(hub.GovernanceVersion, "activity").Single(r => r["activity"] == "audit_chain");
        chain["status"].Should().Be("intact");
        chain["detail"].Should().Contain("sealed under the audit key").And.MatchRegex(@"; [1-9]\d* anchors agree")
            .And.NotContain("not checked").And.NotContain("no anchor outside the log");
        hub.Root.Text($"published/report/board-report-{hub.ReportQuarter}.html").Should().Contain("anchors agree");
    }

    [Fact]
    public async Task Governance_and_report_commands_publish_on_demand_and_refuse_a_quarter_without_KPI_tables()
    {
        var (code, output) = await hub.Run("governance");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("Governance tables published: published/governance/v=").And.Contain("audit chain intact");

        var earlier = hub.ReportQuarter.Add(-2);
        (code, output) = await hub.Run("report", "--quarter", earlier.ToString());
        code.Should().Be(ExitCodes.Ok, output);
        hub.Root.Files("published/report").Should().Contain($"published/report/board-report-{earlier}.html");
        hub.Root.Text($"published/report/board-report-{earlier}.html").Should().Contain($"Quarter {earlier} (");

        (code, output) = await hub.Run("report", "--quarter", "1999Q1");
        code.Should().Be(ExitCodes.Usage);
        output.Should().Contain("1999Q1 is not a quarter the published KPI tables hold");
    }

    [Fact]
    public void Every_published_table_has_a_power_query_script_for_a_folder_and_for_the_storage_account()
    {
        var tables = new[] { hub.KpiVersion, hub.GovernanceVersion }
            .SelectMany(v => hub.Root.Files(v).Where(f => f.EndsWith(".parquet", StringComparison.Ordinal)).Select(f => (Area: v.Split('/')[1], Table: Path.GetFileNameWithoutExtension(f))))
            .ToArray();
        tables.Should().HaveCountGreaterThan(9);
        foreach (var (area, table) in tables)
        {
            foreach (var variant in new[] { "folder", "storage" })
            {
                var script = Path.Combine(RepoPaths.Root, "powerbi", variant, $"{area}-{table}.pq");
                File.Exists(script).Should().BeTrue($"{variant}/{area}-{table}.pq loads {table}");
                File.ReadAllText(script).Should().Contain($"Area = \"{area}\"").And.Contain($"TableName = \"{table}\"").And.Contain("current.json");
            }
        }
    }

    [GeneratedRegex(@"quarter=(\d{4}Q[1-4])/")]
    private static partial Regex QuarterFolder();

    [GeneratedRegex(@"<tbody>(.*?)</tbody>", RegexOptions.Singleline)]
    private static partial Regex TableRows();

    [GeneratedRegex(@"<td[^>]*>(.*?)</td>", RegexOptions.Singleline)]
    private static partial Regex Cell();
}
