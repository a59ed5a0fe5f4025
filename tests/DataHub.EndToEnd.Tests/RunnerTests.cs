using DataHub.Core.Ingestion;
using DataHub.Host.Embedded;

namespace DataHub.EndToEnd.Tests;

/// <summary>The embedded host: files dropped into landing are ingested once settled; cancellation (Ctrl+C) stops it cleanly.</summary>
public sealed class RunnerTests : IDisposable
{
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void An_outcome_without_a_rule_is_described_without_empty_brackets()
    {
        // A worker resumed after another took its file over is told the file is gone; it has no rule to show.
        var gone = new IngestOutcome(IngestStatus.Ignored, "landing/police/police-da-incidents/a.csv", "police", "police-da-incidents", Message: "The file is no longer in landing.")
        {
            SafeLandingPath = "landing/police/police-da-incidents/file-0123abcd.csv",
        };

        EmbeddedRunner.Describe(gone).Should().Be("landing/police/police-da-incidents/file-0123abcd.csv: Ignored: The file is no longer in landing.");
        EmbeddedRunner.Describe(gone with { Rule = "receipt.in_progress" }).Should().Contain("Ignored (receipt.in_progress)");
    }

    [Fact]
    public async Task Runner_ingests_a_dropped_file_and_stops_promptly_when_cancelled()
    {
        await _root.RunAsync("key", "init");
        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing", "police", "police-da-incidents")).FullName;
        await File.WriteAllTextAsync(Path.Combine(landing, "a.csv"), "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\nI1,2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\n");
        using var hub = EmbeddedHub.Open(_root.Path, null, TimeProvider.System);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var jobRuns = 0;
        var everySecond = new TimerJob("Tick", "* * * * * *", (_, _) => Task.FromResult($"run {Interlocked.Increment(ref jobRuns)}"));
        var runner = new EmbeddedRunner(hub.Context, [everySecond], TimeSpan.FromMilliseconds(200), lines.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!(lines.Any(l => l.Contains("Stored", StringComparison.Ordinal)) && Volatile.Read(ref jobRuns) > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        (await Task.WhenAny(run, Task.Delay(10_000))).Should().BeSameAs(run, "cancellation stops the watcher and the timers at once");
        await run;
        lines.Should().Contain(l => l.StartsWith($"landing/police/police-da-incidents/{_root.Label("a.csv")}: Stored", StringComparison.Ordinal));
        _root.Files("secure").Should().HaveCount(2, "one quarter file and the batch manifest that commits it");
        jobRuns.Should().BeGreaterThan(0, "the every-second job ran on its schedule");
        lines.Should().Contain(l => l.StartsWith("Tick: run ", StringComparison.Ordinal));
    }
}
