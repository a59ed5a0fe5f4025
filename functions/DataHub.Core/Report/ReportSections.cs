using System.Globalization;
using System.Net;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Rollup;

namespace DataHub.Core.Report;

/// <summary>The board report's sections for one quarter, each a &lt;section&gt; whose charts carry their data as a table.</summary>
internal sealed partial class ReportSections(BoardReportData data, Quarter quarter)
{
    // Indicators whose quarterly trend heads the report, and the before/after pairs (12 months before and after FS start).
    private static readonly string[] Trends = ["KPI01.children_with_active_plan", "KPI03.new_plans", "KPI07.unauthorised_absence_rate"];
    private static readonly (string Before, string After, string Title)[] Pairs =
    [
        ("KPI17.incidents_12m_before_fs", "KPI17.incidents_12m_after_fs", "Domestic abuse incidents, 12 months before and after FS start"),
        ("KPI07.overall_absence_rate_12m_before_fs", "KPI07.overall_absence_rate_12m_after_fs", "Overall school absence, 12 months before and after FS start"),
    ];

    private static readonly string[] RagMeasures = ["timeliness", "completeness", "validity", "duplicates", "coverage"];

    private readonly List<IReadOnlyDictionary<string, string>> _kpi = [.. data.KpiValues.Records().Where(r => r["breakdown_type"] == "all")];
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _definitions = data.KpiDefinitions.Records().ToDictionary(r => r["measure_key"], StringComparer.Ordinal);
    private readonly string _q = quarter.ToString();

    public string Headlines()
    {
        var html = Open("headlines", "KPI headlines", $"How each cohort stood in {quarter.Label}, and the trend in every quarter up to it. Cohorts are the families whose Family Safeguarding (FS) work started in the same quarter.");
        var quarters = data.KpiQuarters.Where(q => q.CompareTo(quarter) <= 0).ToArray();
        var cohorts = _kpi.Select(r => r["cohort"]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        foreach (var key in Trends.Where(_definitions.ContainsKey))
        {
            var (title, unit) = (_definitions[key]["title"], _definitions[key]["unit"]);
            var rows = _kpi.Where(r => r["measure_key"] == key).ToLookup(r => (r["cohort"], r["quarter"]));
            var series = cohorts.Select((c, i) => new ChartSeries(c, quarters.Select(q => Value(rows[(c, q.ToString())].FirstOrDefault())).ToArray(), SvgCharts.Palette[i % SvgCharts.Palette.Count])).ToArray();
            var latest = cohorts.Select(c => $"{c}: {Shown(rows[(c, _q)].FirstOrDefault(), unit)}");
            var id = "trend-" + Slug(key);
            var svg = SvgCharts.Line(id, title, $"Line chart of {title.ToLowerInvariant()} per cohort by quarter, {quarters.FirstOrDefault()} to {_q}. In {_q}: {string.Join("; ", latest)}.", quarters.Select(q => q.ToString()).ToArray(), series, v => Format(v, unit), Axis(unit));
            var table = Table(
                $"Data for the chart: {title}",
                ["Quarter", .. cohorts],
                quarters.Reverse().Select(q => (IReadOnlyList<string>)[q.ToString(), .. cohorts.Select(c => Shown(rows[(c, q.ToString())].FirstOrDefault(), unit))]));
            html.Append(Figure(id, title, svg, table));
        }

        return WithNoFigureKey(html).Append("</section>\n").ToString();
    }

    public string BeforeAfter()
    {
        var html = Open("before-after", "Before and after FS start", "Each cohort's figure for the 12 months before its FS start beside the 12 months after; a comparison is shown once both windows have closed ([z] until then).");
        foreach (var (before, after, title) in Pairs.Where(p => _definitions.ContainsKey(p.Before) && _definitions.ContainsKey(p.After)))
        {
            var unit = _definitions[before]["unit"];
            var b = _kpi.Where(r => r["measure_key"] == before && r["quarter"] == _q).ToDictionary(r => r["cohort"], StringComparer.Ordinal);
            var a = _kpi.Where(r => r["measure_key"] == after && r["quarter"] == _q).ToDictionary(r => r["cohort"], StringComparer.Ordinal);
            var cohorts = b.Keys.Union(a.Keys).Order(StringComparer.Ordinal).ToArray();
            var id = "before-after-" + Slug(before);
            var series = new[]
            {
                new ChartSeries("12 months before", cohorts.Select(c => Value(b.GetValueOrDefault(c))).ToArray(), "#56B4E9"),
                new ChartSeries("12 months after", cohorts.Select(c => Value(a.GetValueOrDefault(c))).ToArray(), "#0072B2"),
            };
            var words = string.Join("; ", cohorts.Select(c => $"{c} before {Shown(b.GetValueOrDefault(c), unit)}, after {Shown(a.GetValueOrDefault(c), unit)}"));
            var svg = SvgCharts.Bars(id, title, $"Bar chart, per cohort, of {title.ToLowerInvariant()} as published for {_q}: {words}.", cohorts, series, v => Format(v, unit), Axis(unit));
            var table = Table($"Data for the chart: {title}", ["Cohort", "12 months before", "12 months after"],
                cohorts.Select(c => (IReadOnlyList<string>)[c, Shown(b.GetValueOrDefault(c), unit), Shown(a.GetValueOrDefault(c), unit)]));
            html.Append(Figure(id, title, svg, table));
        }

        return WithNoFigureKey(html).Append("</section>\n").ToString();
    }

    /// <summary>The warning the report opens with when the audit chain failed its check (empty when it passed): every
    /// governance table is read from that trail, not only the audit summary at the end.</summary>
    public string ChainWarning() =>
        ChainBroken
            ? "<p class=\"warning\" role=\"alert\"><strong>The hub's audit trail failed its check when these tables were published.</strong> The deliveries, rejections, data-quality scorecard and activity in this report are counted from that trail, so they may be incomplete or wrong until it is restored from backup. The audit summary at the end says where it failed.</p>\n"
            : "";

    // Only a row saying "broken" counts: governance tables from before the chain was checked carry no row at all.
    private bool ChainBroken => data.Activity.Records().FirstOrDefault(r => r["activity"] == "audit_chain") is { } chain && chain["status"] != "intact";

    public string Scorecard()
    {
        var html = Open("scorecard", "Data-quality scorecard", $"Each partner feed's data for {quarter.Label}: whether it arrived by the agreement's due dates, how complete and valid it was, repeats, and how much of the cohort it reaches. Thresholds are set in each agreement.");
        if (ChainBroken)
        {
            html.Append("<p class=\"warning\">Read with care: what arrived, when, and what was rejected are counted from the audit trail, which failed its check (see the audit summary).</p>");
        }

        var rows = data.Scorecard.Records().Where(r => r["quarter"] == _q).ToArray();
        var statuses = new[] { ("red", "#b3261e"), ("amber", "#f0b429"), ("green", "#1b7f3b") };
        var series = statuses.Select(s => new ChartSeries(s.Item1, RagMeasures.Select(m => (double?)rows.Count(r => r[m] == s.Item1)).ToArray(), s.Item2)).ToArray();
        var counts = string.Join("; ", RagMeasures.Select(m => $"{m}: {string.Join(", ", statuses.Select(s => $"{rows.Count(r => r[m] == s.Item1)} {s.Item1}"))}"));
        var svg = SvgCharts.Bars("scorecard-chart", "Feeds by status and measure", $"Bar chart of how many feeds are red, amber and green on each measure in {_q}: {counts}.", RagMeasures, series, v => v.ToString("0", CultureInfo.InvariantCulture), ChartValues.Whole);
        // Status words stay lower-case, as in the scorecard table itself.
        var table = Table("Data for the chart: feeds by status and measure", ["measure", "red", "amber", "green"],
            RagMeasures.Select(m => (IReadOnlyList<string>)[m, .. statuses.Select(s => rows.Count(r => r[m] == s.Item1).ToString(CultureInfo.InvariantCulture))]));
        html.Append(Figure("scorecard-chart", "Feeds by status and measure", svg, table));
        html.Append(ScorecardKey(rows));
        html.Append("<table class=\"scorecard\"><caption>Scorecard by feed</caption><thead><tr><th>Partner</th><th>Feed</th><th>Timeliness (due / arrived)</th><th>Completeness</th><th>Validity (rows rejected)</th><th>Duplicates</th><th>Cohort coverage</th><th>Overall</th></tr></thead><tbody>");
        foreach (var r in rows)
        {
            var arrived = r["actual_date"].Length > 0 ? "arrived " + r["actual_date"] : "not received";
            var late = r["days_late"] != "0" ? $", {r["days_late"]} days late" : "";
            var due = r["periods_expected"] == "0" ? "nothing owed (due outside the agreement dates)" : "due " + r["expected_date"];
            var coverage = r["coverage_marker"].Length > 0 ? r["coverage_marker"] : Percent(r["cohort_coverage"]);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(PartnerName(r["partner"]))}</td><td>{E(FeedName(r["feed"]))}</td><td>{RagTag(r["timeliness"])} {E(due)}, {E(arrived)}{E(late)}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{RagTag(r["completeness"])} {Percent(r["linkage_completeness"])}</td><td>{RagTag(r["validity"])} {Percent(r["rejected_share"])}{(r["files_quarantined"] != "0" ? $", {E(r["files_quarantined"])} file(s) quarantined" : "")}</td>");
            html.Append(CultureInfo.InvariantCulture, $"<td>{RagTag(r["duplicates"])} {Percent(r["duplicate_share"])}</td><td>{RagTag(r["coverage"])} {E(coverage)}</td><td>{RagTag(r["overall"])}</td></tr>");
        }

        return html.Append("</tbody></table>\n</section>\n").ToString();
    }

    // What a dash or a marker in the scorecard's table means, said before the table, and only for what it shows. A share
    // is empty when there was nothing to measure it on (Scorecard: no rows read, no linkage key, no row stored), or for a
    // cohort record feed, whose shares GovernanceTables.Scorecard leaves out (exact, they give the cohort sizes back); the
    // status beside it still comes from what was measured. Coverage takes CohortCoverage's markers.
    private static string ScorecardKey(IReadOnlyList<IReadOnlyDictionary<string, string>> rows)
    {
        string[] shares = ["linkage_completeness", "rejected_share", "duplicate_share"];
        var dash = rows.Any(r => shares.Any(s => Percent(r[s]) == "—"));
        var markers = rows.Select(r => r["coverage_marker"]).Where(m => m.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var key = new StringBuilder();
        if (dash)
        {
            key.Append("<p class=\"key\">In this table, — means no share is shown. Either there was nothing to measure it on (no rows read or stored in the quarter, "
                + "or no linkage key in the feed's rows), or the feed is a children's social care feed, whose completeness, validity and duplicate shares are not "
                + "published because, with its exact row counts, they would give the cohort sizes away. The status beside a dash comes from what could be measured: "
                + "completeness from the required fields, and validity is red whenever a file was quarantined.</p>\n");
        }

        if (markers.Length > 0)
        {
            var words = markers.Select(m => m switch
            {
                "[c]" => "[c] means withheld to protect confidentiality (the people reached, or the cohort people counted against them, are few enough to identify someone, or would let such a count be worked out)",
                "[low]" => "[low] means the people reached are not zero but round to zero",
                "[x]" => "[x] means not available yet (no KPI tables have been published to count the cohort from)",
                "[z]" => "[z] means coverage does not apply (the feed is the cohort's own list of people or sends totals rather than people, or no cohort had started by the quarter's end, or those started have nobody in them)",
                _ => m,
            });
            key.Append(CultureInfo.InvariantCulture, $"<p class=\"key\">Under cohort coverage, {E(string.Join("; ", words))}.</p>\n");
        }

        return key.ToString();
    }

    public string Agreements()
    {
        var html = Open("agreements", "Agreements and their status", "Every data-sharing agreement the hub holds, with its feeds and how long it has left. Agreements ending within 90 days are marked expiring.");
        var rows = data.Activity.Records().Where(r => r["activity"] == "agreement").ToArray();
        var expiring = rows.Count(r => r["status"] is "expiring" or "expired");
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"callout\">{rows.Length} agreements; {expiring} expiring within 90 days or expired.</p>");
        html.Append(Table("Agreements", ["Agreement", "Status", "Partner, feeds and validity", "Days to expiry"],
            rows.Select(r => (IReadOnlyList<string>)[r["subject"], r["status"].Replace('_', ' '), AgreementInWords(r["subject"], r["detail"]), r["count"]])));
        return html.Append("</section>\n").ToString();
    }

    public string Suppression()
    {
        var html = Open("suppression", "What was suppressed and why", $"How many published KPI figures for {quarter.Label} show a marker instead of (or beside) a number, and what each marker means.");
        var rows = data.KpiValues.Records().Where(r => r["quarter"] == _q).ToArray();
        var meanings = data.Markers.Records().ToDictionary(r => r["marker"], StringComparer.Ordinal);
        var markers = meanings.Keys.Where(m => m.Length > 0).ToArray();
        var counts = markers.Select(m => (double?)rows.Count(r => r["marker"] == m)).ToArray();
        var svg = SvgCharts.Bars("suppression-chart", "KPI figures by marker", $"Bar chart of KPI figures for {_q} by marker: {string.Join("; ", markers.Select((m, i) => $"{m} {counts[i]}"))}, out of {rows.Length} figures.", markers, [new ChartSeries("figures", counts, "#0072B2")], v => v.ToString("0", CultureInfo.InvariantCulture), ChartValues.Whole);
        var table = Table("Data for the chart: KPI figures by marker", ["Marker", "Figures", "Meaning"],
            [.. markers.Select(m => (IReadOnlyList<string>)[m, rows.Count(r => r["marker"] == m).ToString(CultureInfo.InvariantCulture), meanings[m]["meaning"]]),
             ["(none)", rows.Count(r => r["marker"].Length == 0).ToString(CultureInfo.InvariantCulture), "The value is shown."]]);
        html.Append(Figure("suppression-chart", "KPI figures by marker", svg, table));
        var byIndicator = rows.Where(r => r["marker"] == "[c]").GroupBy(r => r["indicator"]).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal);
        html.Append(Table("Figures withheld to protect confidentiality ([c]), by indicator", ["Indicator", "Figures withheld"],
            byIndicator.Select(g => (IReadOnlyList<string>)[IndicatorName(g.Key), g.Count().ToString(CultureInfo.InvariantCulture)])));
        return html.Append("</section>\n").ToString();
    }

    public string Audit()
    {
        var html = Open("audit", "Audit summary and chain status", "What the hub received and did, read from its audit trail, and whether that trail is intact.");
        var chain = data.Activity.Records().FirstOrDefault(r => r["activity"] == "audit_chain");
        var intact = chain?["status"] == "intact";
        html.Append(CultureInfo.InvariantCulture, $"<p class=\"callout\">Audit chain: <span class=\"{(intact ? "status-intact" : "status-broken")}\">{(chain is null ? "not checked" : intact ? "intact" : "BROKEN")}</span>. {E(ChainInWords(chain))}</p>");
        if (chain is not null && chain["detail"].Length > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"tech\">For maintainers, the check's own words: {E(chain["detail"])}</p>");
        }

        var deliveries = data.Deliveries.Records().ToArray();
        var outcomes = deliveries.Select(d => d["outcome"]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var all = outcomes.Select(o => (double?)deliveries.Count(d => d["outcome"] == o)).ToArray();
        var inQuarter = outcomes.Select(o => (double?)deliveries.Count(d => d["outcome"] == o && d["quarter"] == _q)).ToArray();
        var svg = SvgCharts.Bars("deliveries-chart", "Files received by outcome", $"Bar chart of files received by outcome, all time and in {_q}: {string.Join("; ", outcomes.Select((o, i) => $"{o} {all[i]} ({inQuarter[i]} in {_q})"))}.", outcomes,
            [new ChartSeries("all time", all, "#0072B2"), new ChartSeries($"received in {_q}", inQuarter, "#E69F00")], v => v.ToString("0", CultureInfo.InvariantCulture), ChartValues.Whole);
        var table = Table("Data for the chart: files received by outcome", ["Outcome", "All time", $"Received in {_q}"],
            outcomes.Select((o, i) => (IReadOnlyList<string>)[o, N(all[i]), N(inQuarter[i])]));
        html.Append(Figure("deliveries-chart", "Files received by outcome", svg, table));
        var rejections = data.Rejections.Records().ToArray();
        html.Append(Table("Rows rejected and files quarantined, by rule (all time)", ["Partner", "Feed", "Quarter received", "Rule", "What it means", "Rows rejected", "Files quarantined"],
            rejections.Select(r => (IReadOnlyList<string>)[PartnerName(r["partner"]), FeedName(r["feed"]), r["quarter"], r["rule"], r["rule_text"], r["rows_rejected"], r["files_quarantined"]]), "None so far: no row has been rejected and no file quarantined."));
        var unused = data.Activity.Records().Where(r => r["activity"] == BoardActivity.UnmatchedCohortLabel).ToArray();
        if (unused.Length > 0)
        {
            html.Append(Table("Rows stored but used by no KPI", ["Feed and cohort label", "Rows", "Why, and what to do"],
                unused.Select(r => (IReadOnlyList<string>)[r["subject"], r["count"], r["detail"]])));
        }

        var activity = data.Activity.Records().Where(r => r["activity"] is not ("agreement" or "audit_chain" or BoardActivity.UnmatchedCohortLabel)).GroupBy(r => r["activity"]).ToArray();
        html.Append(Table("Publications, retention deletions and key changes", ["Activity", "Times, or objects deleted", "Latest"],
            activity.Select(g => (IReadOnlyList<string>)[BoardActivity.Describe(g.Key), Times(g.Key, g), When(g.Max(r => r["at"]) ?? "")]),
            "None so far."));
        return html.Append("</section>\n").ToString();
    }

    // How many: a publication or key change is one row each time (its count is something else, the rows published); deletions
    // are one row per quarter, partner and feed, counting the objects deleted, so those counts are added up.
    private static string Times(string activity, IEnumerable<IReadOnlyDictionary<string, string>> rows) =>
        (activity is BoardActivity.RetentionDeletion or BoardActivity.DerivedDeletion or BoardActivity.CleanupDeletion
            ? rows.Sum(r => long.TryParse(r["count"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : 0)
            : rows.Count()).ToString(CultureInfo.InvariantCulture);

    // The chain check in plain words: what was checked, when, and what the records kept outside the log (anchors) showed. The
    // check's own message (event numbers, the anchor file and line) stays beside it for maintainers.
    private string ChainInWords(IReadOnlyDictionary<string, string>? chain)
    {
        var checkedAt = KpiVersions.StartOf(BoardReport.Tail(data.GovernanceVersion).Replace("v=", "", StringComparison.Ordinal)) is { } at ? $"on {Day(at)}, when these governance tables were published" : "when these governance tables were published";
        if (chain is null)
        {
            return "The audit trail was not checked for these tables.";
        }

        var events = chain["count"].Length > 0 ? chain["count"] + " events" : "the events";
        if (chain["status"] != "intact")
        {
            return $"The hub's audit trail failed its check {checkedAt}: what it records cannot be relied on until it is repaired.";
        }

        // "Unaltered" only when the check recomputed every seal under the audit key; an intact chain of unkeyed events, or one
        // checked without the key, shows only that the events are there, in order and linked (anyone could re-compute links).
        var detail = chain["detail"];
        var state = detail.Contains(AuditVerifier.SealsChecked, StringComparison.Ordinal)
            ? "in order and unaltered since they were written"
            : "in order and linked; their seals were not checked";
        if (detail.Contains(AuditVerifier.NoAnchorYet, StringComparison.Ordinal))
        {
            return $"Checked {checkedAt}: all {events} in the hub's audit trail are there, {state}, but no record of its progress is kept outside the trail yet, so a deletion or rewrite of the whole trail would not show.";
        }

        var anchors = AnchorsAgree().Match(detail);
        var outside = anchors.Success
            ? $" Its progress is also recorded outside the trail at the end of each step (each file stored, each publication, each key change), where deleting or rewriting the trail cannot reach: all {anchors.Groups[1].Value} of those records agree with it."
            : "";
        return $"Checked {checkedAt}: all {events} in the hub's audit trail are there, {state}.{outside}";
    }

    // "2026-12-01T19:31:43Z" as "1 Dec 2026, 19:31 UTC".
    private static string When(string at) =>
        DateTimeOffset.TryParse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? Day(t) : at;

    private static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    [System.Text.RegularExpressions.GeneratedRegex(@"\b(\d+) anchors agree\b")]
    private static partial System.Text.RegularExpressions.Regex AnchorsAgree();

    // What "—" means in a section's chart tables, said once, after the section's introduction, when a table shows one: the
    // cohort has no row in kpi_values for that quarter (Shown), which is before its figures begin (KpiCalculator publishes a
    // cohort's figures from its first quarter, or the four quarters before it for measures with a baseline year).
    private static StringBuilder WithNoFigureKey(StringBuilder html)
    {
        const string Key = "<p class=\"key\">In these tables, — means the cohort has no figure for that quarter: the quarter is before the cohort's figures begin "
            + "(the quarter its FS work started, or the year before it for measures compared with that year). It is not zero, and it is not a withheld number: "
            + "a withheld number shows a marker such as [c].</p>\n";
        var text = html.ToString();
        var intro = text.IndexOf("</p>\n", StringComparison.Ordinal) + "</p>\n".Length;
        return text.Contains("<td>—</td>", StringComparison.Ordinal) ? new StringBuilder(text).Insert(intro, Key) : html;
    }

    private static StringBuilder Open(string id, string title, string intro) =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{E(title)}</h2>\n<p>{E(intro)}</p>\n");

    private static string Figure(string id, string title, string svg, string table) =>
        $"<figure id=\"fig-{id}\" data-chart=\"{id}\">\n<figcaption>{E(title)}</figcaption>\n{svg}\n{table}</figure>\n";

    // A table with no rows says so in a line under its caption, rather than showing a header over nothing.
    private static string Table(string caption, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, string none = "None in this period.")
    {
        rows = [.. rows];
        if (!rows.Any())
        {
            return $"<div class=\"empty-table\"><p class=\"caption\">{E(caption)}</p><p>{E(none)}</p></div>\n";
        }

        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<table><caption>{E(caption)}</caption><thead><tr>");
        foreach (var h in headers)
        {
            html.Append(CultureInfo.InvariantCulture, $"<th scope=\"col\">{E(h)}</th>");
        }

        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                var numeric = cell.Length > 0 && (char.IsDigit(cell[0]) || cell[0] == '-' || cell[0] == '+') && !cell.Contains(' ', StringComparison.Ordinal);
                html.Append(numeric ? "<td class=\"num\">" : "<td>").Append(E(cell)).Append("</td>");
            }

            html.Append("</tr>");
        }

        return html.Append("</tbody></table>\n").ToString();
    }

    private static double? Value(IReadOnlyDictionary<string, string>? row) =>
        row is not null && row["marker"] is "" or "[u]" && double.TryParse(row["value"], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null;

    // A published value in words, or its marker; [u] values are shown with the marker beside them.
    private static string Shown(IReadOnlyDictionary<string, string>? row, string unit) =>
        row is null ? "—" : Value(row) is { } v ? Format(v, unit) + (row["marker"].Length > 0 ? " " + row["marker"] : "") : row["marker"].Length > 0 ? row["marker"] : "—";

    private static string Format(double v, string unit) => unit switch
    {
        _ when IsPercent(unit) => v.ToString("0.0%", CultureInfo.InvariantCulture),
        "average_days" => v.ToString("0", CultureInfo.InvariantCulture) + " days",
        "change" => v.ToString("+0;-0;0", CultureInfo.InvariantCulture),
        _ => v.ToString("0", CultureInfo.InvariantCulture),
    };

    // Partners and feeds by name, with the code in brackets as the governance tables write it; a code the agreements or the
    // feed catalogue do not know (an empty partner of a refused path, an agreement since removed) is shown as it is.
    private string PartnerName(string code) => data.Agreements?.Find(code)?.DisplayName ?? code;

    private static string FeedName(string code) => code.Length > 0 && FeedCatalog.Find(code) is { } feed ? feed.DisplayName : code;

    // The published row's partner, feeds and validity with the partner and feeds named in words. Only the names come from the
    // agreements held today, and only from the one whose sentence in codes is the published detail exactly (the partner is in
    // it, so two partners under one agreement id each find their own): an agreement extended, given feeds or removed since
    // publication shows the published detail as it is, so the row never mixes today's files with the published status and days.
    private string AgreementInWords(string agreementId, string detail) =>
        data.Agreements?.Partners.FirstOrDefault(p => p.AgreementId == agreementId && BoardActivity.AgreementDetail(p, p.Partner, feed => feed) == detail) is { } p
            ? BoardActivity.AgreementDetail(p, p.DisplayName, FeedName)
            : detail;

    // The indicator's title from its definition, with its code as kpi_values writes it.
    private static string IndicatorName(string code) =>
        KpiCatalog.Indicators.FirstOrDefault(i => i.Code == code) is { } indicator ? $"{indicator.Title} ({code})" : code;

    private static ChartValues Axis(string unit) => IsPercent(unit) ? ChartValues.Percent : ChartValues.Whole;

    // Units shown as a percentage: the one place that decides it, for the labels (Format) and the axis steps (Axis) alike.
    private static bool IsPercent(string unit) => unit is "proportion" or "session_rate";

    private static string Percent(string share) =>
        double.TryParse(share, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v.ToString("0.0%", CultureInfo.InvariantCulture) : "—";

    private static string RagTag(string status) =>
        status.Length == 0 ? "<span class=\"rag rag-none\">n/a</span>" : $"<span class=\"rag rag-{E(status)}\">{E(status)}</span>";

    private static string N(double? v) => (v ?? 0).ToString("0", CultureInfo.InvariantCulture);

    private static string Slug(string key) => key.ToLowerInvariant().Replace('.', '-').Replace('_', '-');

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
