using System.Diagnostics;
using System.Text.RegularExpressions;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// Issue 16, acceptance 3: the board report renders in headless Chromium (Debian's chromium package; tests/run.sh installs it)
/// with no console message, every section, and every chart with its text alternative and its table; a screenshot is saved.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed partial class BoardReportRenderTests(GovernanceFixture hub)
{
    private static readonly string[] Sections = ["headlines", "before-after", "scorecard", "agreements", "suppression", "audit"];

    private static string Chromium() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "chromium")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is not installed: tests/run.sh installs Debian's chromium package (apt-get install chromium).");

    /// <summary>Runs headless Chromium on a local file; returns what it printed on stdout and its console lines.</summary>
    private static async Task<(string Stdout, IReadOnlyList<string> Console)> RunChromiumAsync(string file, params string[] args)
    {
        using var profile = new TempFolder("chromium");
        var start = new ProcessStartInfo(Chromium())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", $"--user-data-dir={profile.Path}", "--enable-logging=stderr", "--v=1" }.Concat(args))
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add(new Uri(file).AbsoluteUri);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);

        // Chromium logs each page console message (console.error, an uncaught exception, a blocked resource) as INFO:CONSOLE.
        var console = (await stderr).Split('\n').Where(l => l.Contains("CONSOLE", StringComparison.Ordinal)).ToArray();
        return (await stdout, console);
    }

    [Fact]
    public async Task The_console_check_catches_a_page_that_logs_an_error()
    {
        using var folder = new TempFolder("control");
        var page = Path.Combine(folder.Path, "control.html");
        await File.WriteAllTextAsync(page, "<!DOCTYPE html><html><body><script>console.error('control error'); missing();</script></body></html>");

        var (_, console) = await RunChromiumAsync(page, "--dump-dom");

        console.Should().Contain(l => l.Contains("control error", StringComparison.Ordinal)).And.Contain(l => l.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_board_report_renders_in_headless_chromium_with_every_section_and_chart_and_no_console_message()
    {
        var report = Path.Combine(hub.Root.Path, "published", "report", $"board-report-{hub.ReportQuarter}.html");
        var html = await File.ReadAllTextAsync(report);
        html.Should().NotContain("<script").And.NotContain("src=").And.NotContain("@import").And.NotContain("url(").And.NotContain("<link");
        Regex.Matches(html, "href=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Should().OnlyContain(h => h.StartsWith('#'), "the file is self-contained");

        var screenshot = Path.Combine(AppContext.BaseDirectory, $"board-report-{hub.ReportQuarter}.png");
        File.Delete(screenshot);
        var (_, shotConsole) = await RunChromiumAsync(report, $"--screenshot={screenshot}", "--window-size=1100,4200");
        var (dom, domConsole) = await RunChromiumAsync(report, "--dump-dom");

        shotConsole.Concat(domConsole).Should().BeEmpty("the report logs nothing to the console");
        var png = await File.ReadAllBytesAsync(screenshot);
        png.Take(8).Should().Equal([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        png.Length.Should().BeGreaterThan(50_000, "a rendered page, not a blank one");

        foreach (var id in Sections)
        {
            dom.Should().MatchRegex($"<section id=\"{id}\"[^>]*>\\s*<h2", $"section {id} is rendered");
        }

        var figures = Figure().Matches(dom).Select(m => m.Value).ToArray();
        figures.Select(f => Figure().Match(f).Groups[1].Value).Should().Contain(
            ["trend-kpi01-children-with-active-plan", "before-after-kpi17-incidents-12m-before-fs", "scorecard-chart", "suppression-chart", "deliveries-chart"]);
        foreach (var figure in figures)
        {
            figure.Should().MatchRegex("<svg[^>]*role=\"img\"[^>]*aria-labelledby=\"[^\"]+-title [^\"]+-desc\"", "each chart is an image to assistive technology");
            figure.Should().MatchRegex("<title id=\"[^\"]+\">[^<]{10,}</title><desc id=\"[^\"]+\">[^<]{20,}</desc>", "each chart has a title and a text alternative");
            figure.Should().MatchRegex("<table><caption>Data for the chart: [^<]+</caption>.*<tbody><tr>", "each chart has its data as a table");
        }
    }

    [GeneratedRegex("<figure id=\"fig-[^\"]+\" data-chart=\"([^\"]+)\">.*?</figure>", RegexOptions.Singleline)]
    private static partial Regex Figure();
}
