using System.Diagnostics;
using DataHub.Core.Ingestion;
using DataHub.Host.Commands;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 15, acceptance 3: a long ingest shows its progress on a terminal, and output that is redirected carries nothing extra.</summary>
public sealed class IngestProgressTests : IDisposable
{
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Progress_line_shows_rows_megabytes_rate_and_elapsed()
    {
        var text = IngestProgressLine.Describe(new IngestProgress(250_000, 20 * 1048576L, 80 * 1048576L), TimeSpan.FromSeconds(2));
        text.Should().Be("250,000 rows, 20.0 of 80.0 MB, 125,000 rows/s, 00:00:02 elapsed");
    }

    [Fact]
    public void Progress_line_redraws_in_place_at_most_every_quarter_second_and_ends_with_the_last_figures()
    {
        var clock = new SteppingClock();
        using var terminal = new StringWriter();
        using (var line = new IngestProgressLine(terminal, clock))
        {
            line.Report(new IngestProgress(512, 1000, 0));
            clock.Step(TimeSpan.FromMilliseconds(100));
            line.Report(new IngestProgress(1024, 2000, 0));
            clock.Step(TimeSpan.FromMilliseconds(200));
            line.Report(new IngestProgress(1536, 3000, 0));
            line.Report(new IngestProgress(2048, 4000, 0));
        }

        var draws = terminal.ToString().Split('\r', StringSplitOptions.RemoveEmptyEntries);
        draws.Select(d => d.Split(' ')[0]).Should().Equal("512", "1,536", "2,048");
        terminal.ToString().Should().EndWith(Environment.NewLine);
    }

    [Fact]
    public async Task Ingest_on_a_terminal_draws_its_progress()
    {
        var (code, output) = await IngestAsync(underTerminal: true);
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().MatchRegex(@"\r[0-9,]+ rows, [0-9.]+ of [0-9.]+ MB, [0-9,]+ rows/s, \d\d:\d\d:\d\d elapsed");
        output.Should().Contain("20,000 rows, ");
    }

    [Fact]
    public async Task Ingest_with_redirected_output_prints_no_progress()
    {
        var (code, output) = await IngestAsync(underTerminal: false);
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().NotContain("rows/s").And.NotContain("\r").And.NotContain("elapsed");
        output.Trim().Split('\n').Should().ContainSingle("only the outcome is printed: {0}", output);
    }

    /// <summary>`datahub ingest` of a 20,000-row partner-like extract as its own process, its output read through pipes,
    /// or through a pseudo-terminal made by script(1) when <paramref name="underTerminal"/>.</summary>
    private async Task<(int Code, string Output)> IngestAsync(bool underTerminal)
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var file = Path.Combine(_root.Inputs, "incidents.csv");
        await using (var csv = File.Create(file))
        {
            PartnerLikeExtracts.WritePoliceIncidentsCsv(csv, 20_000, seed: 15);
        }

        Delivered.Earlier(file); // delivered earlier: not waited for as an upload under way

        string[] command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "datahub.dll"), "ingest", file, "--partner", "police", "--feed", "police-da-incidents", "--root", _root.Path];
        var start = new ProcessStartInfo(underTerminal ? "script" : command[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in underTerminal ? ["-qec", string.Join(' ', command.Select(Quote)), "/dev/null"] : command[1..])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>A clock whose timestamps move only when stepped.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => _ticks;

        public void Step(TimeSpan by) => _ticks += by.Ticks;
    }
}
