using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using DataHub.Core.Kpis;
using DataHub.Core.Report;

namespace DataHub.Kpis.Tests.Report;

/// <summary>The board report reads as plain words to a board member: titles beside codes, round axis labels, empty tables said to be empty.</summary>
public sealed partial class BoardReportReadabilityTests
{
    private static readonly Quarter Q = Quarter.Parse("2021Q1");
    private static readonly DateTimeOffset Generated = new(2026, 12, 1, 19, 31, 0, TimeSpan.Zero);

    [Fact]
    public void Count_chart_axis_is_marked_in_whole_steps_with_none_missing()
    {
        // New CP plans per cohort: 0 to 5, as the demo's chart had (ticks 0, 1, 3, 4, 5 before: 2 was lost to rounding 1.3125).
        var data = ReportData.With(kpi: [.. ReportData.Series("KPI03.new_plans", ["0", "5", "2", "0"])]);

        var labels = YLabels(Chart(BoardReport.Render(data, Q, Generated), "trend-kpi03-new-plans"));

        labels.Should().Equal("0", "1", "2", "3", "4", "5");
    }

    [Fact]
    public void Percentage_chart_axis_is_marked_in_round_steps()
    {
        // Shares up to 50%: ticks were 13.1%, 26.3%, 39.4%, 52.5% (a quarter of the top plus 5%).
        var data = ReportData.With(kpi: [.. ReportData.Series("KPI01.children_with_active_plan", ["0.2", "0.5", "0.25", "0.4"])]);

        var labels = YLabels(Chart(BoardReport.Render(data, Q, Generated), "trend-kpi01-children-with-active-plan"));

        labels.Should().Equal("0.0%", "10.0%", "20.0%", "30.0%", "40.0%", "50.0%");
    }

    [Theory]
    [InlineData(0, 3, "Whole", new[] { 0.0, 1, 2, 3 })]
    [InlineData(0, 1, "Whole", new[] { 0.0, 1 })]
    [InlineData(0, 0, "Whole", new[] { 0.0, 1 })]
    [InlineData(0, 231, "Whole", new[] { 0.0, 50, 100, 150, 200, 250 })]
    [InlineData(-7, 12, "Whole", new[] { -10.0, -5, 0, 5, 10, 15 })]
    [InlineData(0, 0.525, "Percent", new[] { 0.0, 0.2, 0.4, 0.6 })]
    [InlineData(0, 0.048, "Percent", new[] { 0.0, 0.01, 0.02, 0.03, 0.04, 0.05 })]
    [InlineData(0, 0.0004, "Percent", new[] { 0.0, 0.001 })]
    [InlineData(0, 0.3, "Whole", new[] { 0.0, 1 })]
    [InlineData(-7, 0, "Whole", new[] { -8.0, -6, -4, -2, 0 })]
    [InlineData(0, 0.3, "Percent", new[] { 0.0, 0.1, 0.2, 0.3 })]
    [InlineData(0, 10, "Whole", new[] { 0.0, 2, 4, 6, 8, 10 })]
    public void Axis_ticks_are_one_two_or_five_times_a_power_of_ten_and_cover_the_values(double low, double high, string kind, double[] expected)
    {
        var ticks = SvgCharts.Ticks(low, high, Enum.Parse<ChartValues>(kind));

        ticks.Should().Equal(expected, (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void A_value_that_is_not_a_finite_number_is_left_off_the_axis_and_the_line()
    {
        var svg = SvgCharts.Line("nan", "Plans", "Plans by quarter.", ["2021Q1", "2021Q2", "2021Q3", "2021Q4"],
            [new ChartSeries("C1", [1, double.NaN, 3, double.PositiveInfinity], "#0072B2")], v => v.ToString("0", CultureInfo.InvariantCulture), ChartValues.Whole);

        YLabels(svg).Should().Equal("0", "1", "2", "3");
        svg.Should().NotContain("NaN").And.NotContain("Infinity");
    }

    [Fact]
    public void An_empty_table_says_there_is_none_instead_of_showing_a_bare_header()
    {
        // No rejection ever, and no figure withheld in the quarter.
        var html = BoardReport.Render(ReportData.With(kpi: [.. ReportData.Series("KPI03.new_plans", ["0", "5", "2", "0"])]), Q, Generated);

        html.Should().NotContain("<caption>Rows rejected and files quarantined, by rule (all time)</caption>")
            .And.NotContain("<caption>Figures withheld to protect confidentiality ([c]), by indicator</caption>");
        html.Should().MatchRegex(@"Rows rejected and files quarantined, by rule \(all time\)</p><p>None so far")
            .And.MatchRegex(@"Figures withheld to protect confidentiality \(\[c\]\), by indicator</p><p>None in this period\.</p>");
    }

    [Fact]
    public void A_dash_in_a_chart_table_is_explained_once_in_its_section()
    {
        // C4 started later: it has no KPI03 figure in 2020Q4, so its cell there is a dash.
        var kpi = ReportData.Series("KPI03.new_plans", ["0", "5", "2", "0"])
            .Concat(ReportData.Series("KPI03.new_plans", ["0", "5", "2", "0"]).Take(3).Select(r => r.Select(c => c == "2021Q1" ? "2020Q4" : c).ToArray()))
            .ToArray();

        var html = BoardReport.Render(ReportData.With(kpi: kpi), Q, Generated);

        var headlines = Regex.Match(html, "<section id=\"headlines\".*?</section>", RegexOptions.Singleline).Value;
        headlines.Should().Contain("<td>—</td>");
        Regex.Matches(headlines, "— means").Should().ContainSingle();
        headlines.Should().Contain("— means the cohort has no figure for that quarter").And.Contain("not a withheld number");
        html.Should().Contain("— means").And.Subject.Split("— means").Should().HaveCount(2, "said once, where the dashes are, not in every section");
    }

    [Fact]
    public void A_section_whose_tables_show_no_dash_has_no_dash_explanation()
    {
        // Every cohort has a figure in the one quarter.
        var html = BoardReport.Render(ReportData.With(kpi: [.. ReportData.Series("KPI03.new_plans", ["0", "5", "2", "0"])]), Q, Generated);

        var headlines = Regex.Match(html, "<section id=\"headlines\".*?</section>", RegexOptions.Singleline).Value;
        headlines.Should().Contain("<caption>Data for the chart: ").And.NotContain("<td>—</td>");
        html.Should().NotContain("— means");
    }

    [Fact]
    public void Figures_withheld_by_indicator_give_each_indicator_its_title_beside_its_code()
    {
        var kpi = new[]
        {
            ReportData.Row("KPI17.incidents_in_quarter", "C1", "", "[c]"), ReportData.Row("KPI17.incidents_in_quarter", "C2", "", "[c]"),
            ReportData.Row("KPI03.new_plans", "C1", "", "[c]"), ReportData.Row("KPI03.new_plans", "C2", "10", ""),
        };

        var html = BoardReport.Render(ReportData.With(kpi: kpi), Q, Generated);

        var table = Regex.Match(html, @"<caption>Figures withheld to protect confidentiality \(\[c\]\), by indicator</caption>.*?</table>", RegexOptions.Singleline).Value;
        var cells = Regex.Matches(table, "<td[^>]*>([^<]*)</td>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        string TitleOf(string code) => KpiCatalog.Indicators.Single(i => i.Code == code).Title;
        cells.Should().Equal($"{TitleOf("KPI17")} (KPI17)", "2", $"{TitleOf("KPI03")} (KPI03)", "1");
        TitleOf("KPI17").Should().NotBeNullOrWhiteSpace().And.NotStartWith("KPI");
    }

    [Fact]
    public void Audit_summary_says_in_plain_words_what_was_checked_and_when_and_keeps_the_technical_reference_in_a_note()
    {
        const string Detail = "234 events, chain intact, sealed under the audit key; 17 anchors agree, the newest event 234 in anchors/audit-anchors.jsonl line 16 (kpi_published event).";
        var activity = new[]
        {
            new[] { "key_created", "2026Q4", "2026-12-01T19:31:43Z", "key.created", "", "Created the keys.", "" },
            ["kpi_published", "2026Q4", "2026-12-01T19:31:45Z", "published/kpi/v=20261201T193144Z-2b3ddc", "", "KPI tables published.", "18625"],
            ["audit_chain", "2026Q4", "", "audit log", "intact", Detail, "234"],
        };

        var html = BoardReport.Render(ReportData.With(activity: activity), Q, Generated);

        var callout = WebUtility.HtmlDecode(Regex.Match(html, "<p class=\"callout\">Audit chain:.*?</p>").Value);
        callout.Should().Contain("intact").And.Contain("234 events").And.Contain("1 Dec 2026, 19:31 UTC").And.Contain("17 of those records agree");
        callout.Should().NotContain("anchors/audit-anchors.jsonl").And.NotContain("kpi_published").And.NotContain("line 16");
        WebUtility.HtmlDecode(Regex.Match(html, "<p class=\"tech\">.*?</p>").Value).Should().Contain(Detail, "the precise reference stays, in a note");

        var table = Regex.Match(html, "<caption>Publications, retention deletions and key changes</caption>.*?</table>", RegexOptions.Singleline).Value;
        var cells = Regex.Matches(table, "<td[^>]*>([^<]*)</td>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        cells.Should().Equal(
            DataHub.Core.Governance.BoardActivity.Describe("key_created"), "1", "1 Dec 2026, 19:31 UTC",
            DataHub.Core.Governance.BoardActivity.Describe("kpi_published"), "1", "1 Dec 2026, 19:31 UTC");
        cells.Should().NotContain(["key created", "kpi published"]).And.Contain("KPI tables published");
    }

    [Fact]
    public void A_dash_or_a_coverage_marker_in_the_scorecard_is_explained_before_its_table()
    {
        // The CSC periods feed's shares are left out of the published scorecard; the ICB return sends totals: no linkage key, no coverage.
        string[] csc = ["csc", "csc-cla-periods", "2021Q1", "", "green", "green", "green", "amber", "amber", "2021-02-10", "2021-02-01", "0", "1", "", "", "0", "", "0.056", ""];
        string[] icb = ["icb", "health-aggregates", "2021Q1", "", "green", "green", "green", "", "green", "2021-02-10", "2021-02-01", "0", "1", "", "0", "0", "0", "", "[z]"];

        var html = WebUtility.HtmlDecode(BoardReport.Render(ReportData.With(scorecard: [csc, icb]), Q, Generated));

        var section = Regex.Match(html, "<section id=\"scorecard\".*?</section>", RegexOptions.Singleline).Value;
        var table = section.IndexOf("<table class=\"scorecard\">", StringComparison.Ordinal);
        section.Should().Contain("green</span> —", "the CSC feed's completeness has a status and no share");
        var dashKey = section.IndexOf("— means no share is shown", StringComparison.Ordinal);
        dashKey.Should().BePositive().And.BeLessThan(table, "the key comes before the table it explains");
        section.Should().Contain("children's social care feed, whose completeness, validity and duplicate shares are not published").And.Contain("validity is red whenever a file was quarantined");
        section.Should().Contain("Under cohort coverage, [z] means coverage does not apply").And.NotContain("[c] means").And.NotContain("[x] means");
    }

    [Fact]
    public void A_scorecard_with_every_share_shown_has_no_key()
    {
        string[] police = ["police", "police-da-incidents", "2021Q1", "", "green", "green", "green", "green", "green", "2021-02-10", "2021-02-01", "0", "1", "1", "0", "0", "0", "0.222", ""];

        var html = WebUtility.HtmlDecode(BoardReport.Render(ReportData.With(scorecard: [police]), Q, Generated));

        var section = Regex.Match(html, "<section id=\"scorecard\".*?</section>", RegexOptions.Singleline).Value;
        section.Should().Contain("22.2%").And.NotContain("—").And.NotContain("means");
    }

    [Fact]
    public void Partners_and_feeds_are_named_in_words_from_their_definitions_with_the_code_in_brackets()
    {
        var agreements = DataHub.Storage.Local.ProtocolFolder.Load(Path.Combine(DataHub.Testing.RepoPaths.Root, "functions", "protocols"));
        var csc = agreements.Find("csc")!;
        string[] scorecard = ["csc", "csc-cla-periods", "2021Q1", "", "green", "green", "green", "amber", "amber", "2021-02-10", "2021-02-01", "0", "1", "1", "0", "0", "0", "0.056", ""];
        string[] rejection = ["police", "police-da-incidents", "2021Q1", "D03", "A date that is not a date.", "3", "0"];
        string[] agreement = ["agreement", "2026Q4", "", csc.AgreementId, "in_force", "csc: csc-cla-periods, csc-cp-plans, csc-people; valid 2024-01-01 to 2030-12-31.", "1491"];

        var html = WebUtility.HtmlDecode(BoardReport.Render(ReportData.With(scorecard: [scorecard], rejections: [rejection], activity: [agreement]) with { Agreements = agreements }, Q, Generated));

        csc.Name.Should().Be("Children's social care", "the partner's name is given in its agreement file");
        var claPeriods = DataHub.Core.Feeds.FeedCatalog.Find("csc-cla-periods")!.Title;
        claPeriods.Should().NotBeNullOrWhiteSpace().And.NotContain("csc");
        html.Should().Contain($"<td>Children's social care (csc)</td><td>{claPeriods} (csc-cla-periods)</td>", "the scorecard names the partner and the feed");
        html.Should().Contain($"<td>{agreements.Find("police")!.Name} (police)</td><td>{DataHub.Core.Feeds.FeedCatalog.Find("police-da-incidents")!.Title} (police-da-incidents)</td>", "so do the rejections");
        html.Should().Contain($"Children's social care (csc): {claPeriods} (csc-cla-periods), ").And.Contain("; valid 2024-01-01 to 2030-12-31.");
        html.Should().NotContain("<td>csc</td>").And.NotContain("<td>csc-cla-periods</td>").And.NotContain("<td>police</td>");
        agreements.Partners.Should().OnlyContain(p => !string.IsNullOrWhiteSpace(p.Name), "every agreement file names its partner");
    }

    [Fact]
    public void A_partner_the_agreements_no_longer_hold_is_shown_by_its_code_alone()
    {
        var agreements = DataHub.Storage.Local.ProtocolFolder.Load(Path.Combine(DataHub.Testing.RepoPaths.Root, "functions", "protocols"));
        string[] rejection = ["probation", "police-da-incidents", "2021Q1", "D03", "A date that is not a date.", "3", "0"];

        var html = WebUtility.HtmlDecode(BoardReport.Render(ReportData.With(rejections: [rejection]) with { Agreements = agreements }, Q, Generated));

        agreements.Find("probation").Should().BeNull();
        html.Should().Contain($"<td>probation</td><td>{DataHub.Core.Feeds.FeedCatalog.Find("police-da-incidents")!.DisplayName}</td>");
    }

    [Fact]
    public void A_blank_name_in_an_agreement_file_leaves_the_partner_named_by_its_code()
    {
        var agreements = DataHub.Core.Protocols.ProtocolLoader.Load(
        [
            ("_profiles.yaml", "disclosure_profiles:\n  standard: {threshold: 4, rounding_base: 5}\n"),
            ("police.yaml", "partner: police\nname: \"  \"\nagreement_id: DSA-X\nlawful_basis: p\nvalid_from: 2024-01-01\nvalid_to: 2030-01-01\n"
                + "feeds:\n  police-da-incidents:\n    purpose: p\n    fields: [incident_id, incident_date, role, forename, surname, date_of_birth, sex, crime, marac_referral]\n"
                + "    retention: {raw_days: 30, mart_days: 100}\n    disclosure_profile: standard\n    expected_cadence: monthly\n    due_day: 15\n"),
        ]);
        string[] rejection = ["police", "police-da-incidents", "2021Q1", "D03", "A date that is not a date.", "3", "0"];

        var html = BoardReport.Render(ReportData.With(rejections: [rejection]) with { Agreements = agreements }, Q, Generated);

        agreements.Find("police")!.DisplayName.Should().Be("police");
        html.Should().Contain("<td>police</td>").And.NotContain("(police)");
    }

    [Fact]
    public void A_partner_name_with_markup_characters_is_escaped()
    {
        var repo = DataHub.Storage.Local.ProtocolFolder.Load(Path.Combine(DataHub.Testing.RepoPaths.Root, "functions", "protocols"));
        var agreements = new DataHub.Core.Protocols.ProtocolSet([repo.Find("police")! with { Name = "Police <b>& partners</b>" }], []);
        string[] rejection = ["police", "police-da-incidents", "2021Q1", "D03", "A date that is not a date.", "3", "0"];
        string[] agreement = [.. DataHub.Core.Governance.BoardActivity.Activity([], agreements, new DataHub.Core.Audit.AuditVerification(true, 0, null, ""), new DateOnly(2026, 12, 1))
            .Where(r => r.Activity == "agreement").Select(r => new[] { r.Activity, r.Quarter.ToString(), "", r.Subject, r.Status, r.Detail, "1491" }).Single()];

        var html = BoardReport.Render(ReportData.With(rejections: [rejection], activity: [agreement]) with { Agreements = agreements }, Q, Generated);

        html.Should().Contain("<td>Police &lt;b&gt;&amp; partners&lt;/b&gt; (police)</td>", "in the rejections")
            .And.Contain("<td>Police &lt;b&gt;&amp; partners&lt;/b&gt; (police): ", "in the agreements")
            .And.NotContain("<b>&");
    }

    [Fact]
    public void Deletions_are_counted_by_the_objects_deleted_and_publications_by_the_times()
    {
        // Deletions are published one row per quarter, partner and feed, counting the objects; a publication's count is its kpi_values rows.
        var activity = new[]
        {
            new[] { "retention_deletion", "2026Q4", "2026-12-01T19:31:43Z", "police/police-da-incidents", "", "5 object(s) deleted at the end of their agreement's retention.", "5" },
            ["retention_deletion", "2026Q4", "2026-12-01T19:31:44Z", "icb/health-aggregates", "", "7 object(s) deleted at the end of their agreement's retention.", "7"],
            ["derived_deletion", "2026Q4", "2026-12-01T19:31:44Z", "police/police-da-incidents", "retention.derived_tables", "3 object(s) deleted with a batch they were computed from.", "3"],
            ["kpi_published", "2026Q4", "2026-12-01T19:31:45Z", "published/kpi/v=20261201T193144Z-2b3ddc", "", "KPI tables published.", "18625"],
            ["kpi_published", "2026Q4", "2026-12-01T19:31:46Z", "published/kpi/v=20261201T193145Z-2b3ddd", "", "KPI tables published.", "18625"],
        };

        var html = BoardReport.Render(ReportData.With(activity: activity), Q, Generated);

        var table = Regex.Match(html, "<caption>Publications, retention deletions and key changes</caption>.*?</table>", RegexOptions.Singleline).Value;
        var cells = Regex.Matches(table, "<t[dh][^>]*>([^<]*)</t[dh]>").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToArray();
        cells.Should().Equal(
            "Activity", "Times, or objects deleted", "Latest",
            DataHub.Core.Governance.BoardActivity.Describe("retention_deletion"), "12", "1 Dec 2026, 19:31 UTC",
            DataHub.Core.Governance.BoardActivity.Describe("derived_deletion"), "3", "1 Dec 2026, 19:31 UTC",
            DataHub.Core.Governance.BoardActivity.Describe("kpi_published"), "2", "1 Dec 2026, 19:31 UTC");
    }

    private static string Chart(string html, string id) =>
        Regex.Match(html, $"<figure id=\"fig-{id}\".*?</figure>", RegexOptions.Singleline).Value;

    // The y axis labels, bottom to top.
    private static string[] YLabels(string figure) =>
        [.. YLabel().Matches(figure).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value))];

    [GeneratedRegex("<text x=\"[^\"]+\" y=\"[^\"]+\" text-anchor=\"end\" font-size=\"9\">([^<]*)</text>")]
    private static partial Regex YLabel();
}

/// <summary>Published tables for the board report, built by hand: only the columns the report reads.</summary>
internal static class ReportData
{
    private static readonly string[] Cohorts = ["C1", "C2", "C3", "C4"];

    /// <summary>One value per cohort for 2021Q1, under breakdown "all".</summary>
    public static IEnumerable<string[]> Series(string measureKey, string[] values) => Cohorts.Select((c, i) => Row(measureKey, c, values[i], ""));

    public static string[] Row(string measureKey, string cohort, string value, string marker) =>
        [measureKey, measureKey[..measureKey.IndexOf('.', StringComparison.Ordinal)], "2021Q1", cohort, "all", value, marker];

    public static BoardReportData With(
        IReadOnlyList<string[]>? kpi = null,
        IReadOnlyList<string[]>? scorecard = null,
        IReadOnlyList<string[]>? rejections = null,
        IReadOnlyList<string[]>? deliveries = null,
        IReadOnlyList<string[]>? activity = null)
    {
        kpi ??= [];
        var definitions = kpi.Select(r => r[0]).Distinct(StringComparer.Ordinal)
            .Select(k => new[] { k, Title(k), k.Contains("rate", StringComparison.Ordinal) || k.Contains("active_plan", StringComparison.Ordinal) ? "proportion" : "count" })
            .ToArray();
        return new BoardReportData(
            new PublishedTable("kpi_values", ["measure_key", "indicator", "quarter", "cohort", "breakdown_type", "value", "marker"], kpi),
            new PublishedTable("kpi_definitions", ["measure_key", "title", "unit"], definitions),
            new PublishedTable("markers", ["marker", "name", "meaning"], [["", "value", "The value is shown."], ["[c]", "confidential", "Withheld."]]),
            new PublishedTable("scorecard", ["partner", "feed", "quarter", "timeliness", "completeness", "validity", "duplicates", "coverage", "overall",
                "expected_date", "actual_date", "days_late", "periods_expected", "linkage_completeness", "rejected_share", "files_quarantined",
                "duplicate_share", "cohort_coverage", "coverage_marker"], scorecard ?? []),
            new PublishedTable("rejections", ["partner", "feed", "quarter", "rule", "rule_text", "rows_rejected", "files_quarantined"], rejections ?? []),
            new PublishedTable("deliveries", ["partner", "feed", "quarter", "outcome"], deliveries ?? [["police", "police-da-incidents", "2021Q1", "stored"]]),
            new PublishedTable("activity", ["activity", "quarter", "at", "subject", "status", "detail", "count"], activity ?? []),
            "published/kpi/v=20261201T193144Z-2b3ddc",
            "published/governance/v=20261201T193145Z-f2b0a1");
    }

    private static string Title(string key) => key switch
    {
        "KPI03.new_plans" => "New CP plans started in the quarter during FS",
        "KPI01.children_with_active_plan" => "Children on a child protection plan",
        _ => key,
    };
}
