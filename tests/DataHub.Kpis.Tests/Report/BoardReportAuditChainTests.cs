using System.Net;
using System.Text.RegularExpressions;
using DataHub.Core.Kpis;
using DataHub.Core.Report;

namespace DataHub.Kpis.Tests.Report;

/// <summary>The audit summary claims no more than the chain check covered: the trail is "unaltered" only when its seals were checked under the audit key.</summary>
public sealed class BoardReportAuditChainTests
{
    private static readonly Quarter Q = Quarter.Parse("2021Q1");
    private static readonly DateTimeOffset Generated = new(2026, 12, 1, 19, 31, 0, TimeSpan.Zero);

    [Fact]
    public void A_chain_whose_seals_were_checked_under_the_audit_key_is_said_to_be_unaltered()
    {
        var words = Callout("234 events, chain intact, sealed under the audit key; 17 anchors agree, the newest event 234 in anchors/audit-anchors.jsonl line 16 (kpi_published event).");

        words.Should().Contain("in order and unaltered since they were written").And.Contain("all 17 of those records agree")
            .And.NotContain("not checked");
    }

    [Fact]
    public void A_keyed_chain_checked_without_the_audit_key_is_not_said_to_be_unaltered()
    {
        var words = Callout("234 events, chain intact (its keyed seals were not checked: no audit key was given); 17 anchors agree, the newest event 234 in anchors/audit-anchors.jsonl line 16 (kpi_published event).");

        words.Should().NotContain("unaltered").And.Contain("in order and linked; their seals were not checked");
    }

    [Fact]
    public void An_unkeyed_chain_is_not_said_to_be_unaltered()
    {
        // Legacy events: a plain SHA-256 chain that anyone could re-compute.
        var words = Callout("12 events, chain intact; 3 anchors agree, the newest event 12 in anchors/audit-anchors.jsonl line 2 (kpi_published event).");

        words.Should().NotContain("unaltered").And.Contain("in order and linked; their seals were not checked");
    }

    [Fact]
    public void A_chain_with_no_anchor_outside_the_log_says_so_in_its_main_sentence()
    {
        var words = Callout("234 events, chain intact, sealed under the audit key; no anchor outside the log yet.");

        var main = words[..(words.IndexOf(".", words.IndexOf("Checked", StringComparison.Ordinal), StringComparison.Ordinal) + 1)];
        main.Should().Contain("unaltered").And.Contain("no record of its progress is kept outside the trail yet");
        words.Should().NotContain("records agree");
    }

    [Fact]
    public void A_broken_chain_is_said_at_the_top_of_the_report_and_on_the_scorecard_not_only_in_the_audit_summary()
    {
        string[] chain = ["audit_chain", "2026Q4", "", "audit log", "broken", "the line after event 3 cannot be read. 1 audit line(s) that cannot be read were left out of every governance table.", "233"];

        var html = BoardReport.Render(ReportData.With(activity: [chain]), Q, Generated);

        var warning = html.IndexOf("<p class=\"warning\" role=\"alert\">", StringComparison.Ordinal);
        warning.Should().BePositive().And.BeLessThan(html.IndexOf("<section", StringComparison.Ordinal), "the warning opens the report, before any section");
        WebUtility.HtmlDecode(html[warning..html.IndexOf("</p>", warning, StringComparison.Ordinal)]).Should().Contain("failed its check").And.Contain("scorecard");
        var scorecard = html[html.IndexOf("<section id=\"scorecard\"", StringComparison.Ordinal)..];
        scorecard[..scorecard.IndexOf("</section>", StringComparison.Ordinal)].Should().Contain("<p class=\"warning\">Read with care");
    }

    [Fact]
    public void An_intact_chain_puts_no_warning_in_the_report()
    {
        string[] chain = ["audit_chain", "2026Q4", "", "audit log", "intact", "234 events, chain intact, sealed under the audit key; no anchor outside the log yet.", "234"];

        var html = BoardReport.Render(ReportData.With(activity: [chain]), Q, Generated);

        html.Should().NotContain("class=\"warning\"");
    }

    private static string Callout(string detail)
    {
        string[] chain = ["audit_chain", "2026Q4", "", "audit log", "intact", detail, "234"];
        var html = BoardReport.Render(ReportData.With(activity: [chain]), Q, Generated);
        return WebUtility.HtmlDecode(Regex.Match(html, "<p class=\"callout\">Audit chain:.*?</p>").Value);
    }
}
