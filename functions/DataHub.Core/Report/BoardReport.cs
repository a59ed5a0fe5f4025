using System.Globalization;
using System.Net;
using System.Text;
using DataHub.Core.Governance;
using DataHub.Core.Kpis;
using DataHub.Core.Protocols;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;

namespace DataHub.Core.Report;

/// <summary>The published tables the board report reads: the current KPI and governance versions' CSV twins.</summary>
public sealed record BoardReportData(
    PublishedTable KpiValues,
    PublishedTable KpiDefinitions,
    PublishedTable Markers,
    PublishedTable Scorecard,
    PublishedTable Rejections,
    PublishedTable Deliveries,
    PublishedTable Activity,
    string KpiVersion,
    string GovernanceVersion)
{
    /// <summary>The agreements as the hub holds them when the report is written: partners' names in words (null: codes alone).</summary>
    public ProtocolSet? Agreements { get; init; }

    /// <summary>The quarters kpi_values reports, in order.</summary>
    public IReadOnlyList<Quarter> KpiQuarters =>
        [.. KpiValues.Records().Select(r => r["quarter"]).Distinct(StringComparer.Ordinal).Select(Quarter.Parse).Order()];

    /// <summary>Reads the current versions; null when either has not been published yet.</summary>
    public static async Task<BoardReportData?> LoadAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        var kpi = await RollupQuarter.CurrentVersionAsync(store, cancellationToken).ConfigureAwait(false);
        var governance = await GovernancePublisher.CurrentVersionAsync(store, cancellationToken).ConfigureAwait(false);
        if (kpi is null || governance is null)
        {
            return null;
        }

        Task<PublishedTable> Read(string version, string name) => PublishedTable.ReadAsync(store, version, name, cancellationToken);
        return new BoardReportData(
            await Read(kpi, "kpi_values").ConfigureAwait(false),
            await Read(kpi, "kpi_definitions").ConfigureAwait(false),
            await Read(kpi, "markers").ConfigureAwait(false),
            await Read(governance, "scorecard").ConfigureAwait(false),
            await Read(governance, "rejections").ConfigureAwait(false),
            await Read(governance, "deliveries").ConfigureAwait(false),
            await Read(governance, "activity").ConfigureAwait(false),
            kpi,
            governance);
    }
}

/// <summary>The board's quarterly report was asked for a quarter the KPI tables do not hold, or before anything was published.</summary>
public sealed class BoardReportUnavailableException(string message) : Exception(message);

/// <summary>
/// The quarterly board report: one self-contained HTML file (inline SVG charts, no script, no external font or image, print
/// styles for A4) built only from the published, disclosure-controlled tables. Every chart has a table beside it and a text alternative.
/// </summary>
public static class BoardReport
{
    /// <summary>Where reports are written: <c>published/report/board-report-{quarter}.html</c>.</summary>
    public static string PathFor(Quarter quarter) => $"published/report/board-report-{quarter}.html";

    /// <summary>Builds the report for <paramref name="quarter"/> (default: the latest quarter the KPI tables hold) and writes it atomically;
    /// <paramref name="agreements"/> name the partners in words.</summary>
    /// <returns>The path written and the quarter reported.</returns>
    /// <exception cref="BoardReportUnavailableException">Nothing is published yet, or the quarter is not one the KPI tables hold.</exception>
    public static async Task<(string Path, Quarter Quarter)> WriteAsync(IObjectStore store, ProtocolSet agreements, Quarter? quarter, DateTimeOffset generated, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(agreements);
        for (var attempt = 1; ; attempt++)
        {
            var data = (await BoardReportData.LoadAsync(store, cancellationToken).ConfigureAwait(false)
                ?? throw new BoardReportUnavailableException("The KPI and governance tables have not been published yet: run `datahub rollup` first.")) with { Agreements = agreements };
            var quarters = data.KpiQuarters;
            if (quarters.Count == 0)
            {
                throw new BoardReportUnavailableException("The published KPI tables hold no quarter yet.");
            }

            var q = quarter ?? quarters[^1];
            if (!quarters.Contains(q))
            {
                throw new BoardReportUnavailableException($"{q} is not a quarter the published KPI tables hold ({quarters[0]} to {quarters[^1]}).");
            }

            var bytes = Encoding.UTF8.GetBytes(Render(data, q, generated));
            var path = PathFor(q);
            await store.WriteAsync(path, (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, cancellationToken).ConfigureAwait(false);

            // A rollup that switched the tables while this report was rendered may have written its own report before
            // this one replaced it: render again from the versions now current, so the report left is of them.
            if (attempt == 3
                || (await RollupQuarter.CurrentVersionAsync(store, cancellationToken).ConfigureAwait(false) == data.KpiVersion
                    && await GovernancePublisher.CurrentVersionAsync(store, cancellationToken).ConfigureAwait(false) == data.GovernanceVersion))
            {
                return (path, q);
            }
        }
    }

    /// <summary>The report's HTML for one quarter.</summary>
    public static string Render(BoardReportData data, Quarter quarter, DateTimeOffset generated)
    {
        ArgumentNullException.ThrowIfNull(data);
        var sections = new ReportSections(data, quarter);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        html.Append(CultureInfo.InvariantCulture, $"<title>Family Safeguarding data-sharing board report, {E(quarter.Label)}</title>\n");
        html.Append("<style>").Append(Styles).Append("</style>\n</head>\n<body>\n<main>\n");
        html.Append(CultureInfo.InvariantCulture, $"<header><h1>Family Safeguarding data-sharing hub: board report</h1><p class=\"sub\">Quarter {E(quarter.ToString())} ({E(quarter.Label)}). Generated {generated.UtcDateTime:yyyy-MM-dd HH:mm} UTC from KPI version <code>{E(Tail(data.KpiVersion))}</code> and governance version <code>{E(Tail(data.GovernanceVersion))}</code>.</p>");
        html.Append("<p class=\"note\">Every number here comes from the published, disclosure-controlled tables: counts of people are rounded, and a marker such as [c] stands where a number is withheld. Each chart has its data in a table below it.</p>");
        html.Append(sections.ChainWarning());
        html.Append("<nav aria-label=\"Sections\"><ol><li><a href=\"#headlines\">KPI headlines</a></li><li><a href=\"#before-after\">Before and after FS</a></li><li><a href=\"#scorecard\">Data-quality scorecard</a></li><li><a href=\"#agreements\">Agreements</a></li><li><a href=\"#suppression\">What was suppressed</a></li><li><a href=\"#audit\">Audit summary</a></li></ol></nav></header>\n");
        html.Append(sections.Headlines()).Append(sections.BeforeAfter()).Append(sections.Scorecard()).Append(sections.Agreements())
            .Append(sections.Suppression()).Append(sections.Audit());
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    // A version's folder, e.g. "v=20261201T193144Z-2b3ddc".
    internal static string Tail(string version) => version[(version.LastIndexOf('/') + 1)..];

    private static string E(string text) => WebUtility.HtmlEncode(text);

    private const string Styles = """
        :root { color-scheme: light; }
        body { font-family: "Segoe UI", Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 0; background: #fff; font-size: 14px; line-height: 1.45; }
        main { max-width: 980px; margin: 0 auto; padding: 16px 24px 48px; }
        h1 { font-size: 24px; margin: 8px 0 4px; } h2 { font-size: 19px; border-bottom: 2px solid #0b3d66; padding-bottom: 4px; margin-top: 32px; }
        h3 { font-size: 15px; margin: 18px 0 6px; } .sub { color: #444; margin: 0 0 8px; } .note { background: #eef4fa; padding: 8px 12px; border-left: 4px solid #0b3d66; }
        nav ol { columns: 3; padding-left: 20px; } code { font-size: 12px; }
        table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; font-size: 12px; }
        caption { text-align: left; font-weight: 600; padding: 4px 0; }
        th, td { border: 1px solid #c8c8c8; padding: 3px 6px; text-align: left; vertical-align: top; }
        th { background: #f0f0f0; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 12px 0 20px; border: 1px solid #ddd; padding: 8px 10px; break-inside: avoid; page-break-inside: avoid; }
        figcaption { font-weight: 600; margin-bottom: 4px; } svg.chart { width: 100%; height: auto; max-height: 270px; }
        .rag { display: inline-block; min-width: 46px; padding: 0 4px; border-radius: 3px; font-weight: 600; text-align: center; text-transform: capitalize; }
        .rag-red { background: #b3261e; color: #fff; } .rag-amber { background: #f0b429; color: #1a1a1a; } .rag-green { background: #1b7f3b; color: #fff; }
        .rag-none { background: #e6e6e6; color: #333; } .status-broken { color: #b3261e; font-weight: 700; } .status-intact { color: #1b7f3b; font-weight: 700; }
        .callout { padding: 8px 12px; border: 1px solid #ccc; background: #fafafa; }
        .warning { padding: 8px 12px; border: 2px solid #b3261e; border-left-width: 6px; background: #fdf0ef; }
        .empty-table { margin: 6px 0 14px; font-size: 12px; } .empty-table .caption { font-weight: 600; margin: 4px 0 2px; } .empty-table p { margin: 0; }
        .key { font-size: 12px; color: #333; } .tech { font-size: 11px; color: #555; margin-top: -4px; }
        @page { size: A4; margin: 14mm 12mm; }
        @media print {
          body { font-size: 10.5pt; } main { max-width: none; padding: 0; } nav { display: none; }
          h2 { break-before: page; page-break-before: always; } section:first-of-type h2 { break-before: auto; page-break-before: auto; }
          table, tr { break-inside: avoid; page-break-inside: avoid; } a { color: inherit; text-decoration: none; }
          .rag-red, .rag-amber, .rag-green, .warning { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }
        """;
}
