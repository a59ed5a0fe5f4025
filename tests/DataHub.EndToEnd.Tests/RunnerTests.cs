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
        var runner = new EmbeddedRunner(hub.Context, [everySecond], TimeSpan.FromMilliseconds(200), TimeSpan.Zero, lines.Enqueue);
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

    [Fact]
    public async Task A_timer_job_that_fails_is_reported_by_its_error_type_never_its_message()
    {
        // Retention walks landing, and .NET's I/O messages quote the path: a partner's folder nested past the system's path
        // length made every EnforceRetention run print "failed (PathTooLongException: The path '…/Zebedee Quillfeather/…')".
        await _root.RunAsync("key", "init");
        using var hub = EmbeddedHub.Open(_root.Path, null, TimeProvider.System);
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var failing = new TimerJob("Tick", "* * * * * *", (_, _) => throw new PathTooLongException($"The path '{_root.Path}/landing/police/police-da-incidents/Zebedee Quillfeather 4857773456/x' is too long."));
        var runner = new EmbeddedRunner(hub.Context, [failing], TimeSpan.FromMilliseconds(200), TimeSpan.Zero, lines.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!lines.Any(l => l.StartsWith("Tick:", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await run;
        lines.Should().Contain(l => l.StartsWith("Tick: failed (PathTooLongException", StringComparison.Ordinal));
        lines.Should().NotContain(l => l.Contains("Zebedee", StringComparison.Ordinal) || l.Contains("4857773456", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_file_whose_upload_paused_is_not_taken_until_it_has_been_unchanged_for_the_settle_time()
    {
        await _root.RunAsync("key", "init");
        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing", "police", "police-da-incidents")).FullName;
        var file = Path.Combine(landing, "upload.csv");
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.FromSeconds(30), _ => { });

        // The first half of an upload, then a pause: two polls see it unchanged, but not for 30 seconds.
        await File.WriteAllTextAsync(file, Header + "I1,2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\n");
        (await runner.PollOnceAsync(default)).Should().BeEmpty();
        _root.Clock.Advance(TimeSpan.FromSeconds(20));
        (await runner.PollOnceAsync(default)).Should().BeEmpty("a pause shorter than the settle time is still an upload under way");

        // The upload goes on: its settle time starts again.
        await File.AppendAllTextAsync(file, "I2,2018-06-03,victim,Ann,Oneil,2012-05-12,F,N,N\n");
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(1));
        (await runner.PollOnceAsync(default)).Should().BeEmpty();
        _root.Clock.Advance(TimeSpan.FromSeconds(29));
        (await runner.PollOnceAsync(default)).Should().BeEmpty("the file changed 29 seconds ago");
        _root.Clock.Advance(TimeSpan.FromSeconds(1));
        var stored = (await runner.PollOnceAsync(default)).Should().ContainSingle().Subject;

        stored.Status.Should().Be(IngestStatus.Stored);
        stored.RowsAccepted.Should().Be(2, "the whole upload, both halves");
    }

    [Theory]
    [InlineData("upload.csv.filepart")]
    [InlineData("upload.csv.part")]
    [InlineData("~$upload.csv")]
    public async Task A_name_an_upload_tool_writes_under_waits_an_hour_then_is_quarantined_unread(string name)
    {
        await _root.RunAsync("key", "init");
        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing", "police", "police-da-incidents")).FullName;
        await File.WriteAllTextAsync(Path.Combine(landing, name), Header + "I1,2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\nI2,2018-06-03,vic");
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.Zero, _ => { });

        (await runner.PollOnceAsync(default)).Should().BeEmpty();
        _root.Clock.Advance(TimeSpan.FromMinutes(59));
        (await runner.PollOnceAsync(default)).Should().BeEmpty("the tool may still be writing it, to rename it when done");
        _root.Clock.Advance(TimeSpan.FromMinutes(1));
        var handled = (await runner.PollOnceAsync(default)).Should().ContainSingle().Subject;

        handled.Status.Should().Be(IngestStatus.Quarantined);
        handled.Rule.Should().Be(LandingPath.UploadIncompleteRule);
        _root.Files("secure").Should().BeEmpty("what an unfinished upload holds is never read as the delivery");
        _root.Files("landing").Should().NotContain(f => f.StartsWith("landing/police/", StringComparison.Ordinal), "an abandoned upload is moved out and reported");
        _root.Files("quarantine").Should().Contain(f => f.EndsWith(".report.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_upload_name_last_written_over_an_hour_ago_is_not_held_another_hour_by_a_restarted_runner()
    {
        await _root.RunAsync("key", "init");
        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing", "police", "police-da-incidents")).FullName;
        var file = Path.Combine(landing, "upload.csv.filepart");
        await File.WriteAllTextAsync(file, Header);
        File.SetLastWriteTimeUtc(file, _root.Clock.GetUtcNow().UtcDateTime - TimeSpan.FromHours(2));
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.FromSeconds(30), _ => { });

        (await runner.PollOnceAsync(default)).Should().BeEmpty("a file is seen on two polls before it is handled");
        var handled = (await runner.PollOnceAsync(default)).Should().ContainSingle().Subject;

        handled.Rule.Should().Be(LandingPath.UploadIncompleteRule);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_timer_rollup_refuses_a_damaged_audit_log_end_before_it_writes_or_switches_anything(bool torn)
    {
        (await _root.RunAsync("demo", "--families", "2")).Code.Should().Be(Host.Commands.ExitCodes.Ok);
        var logPath = Path.Combine(_root.Path, "audit", "audit-log.jsonl");
        var log = File.ReadAllBytes(logPath);
        if (torn)
        {
            // A write cut off after the demo's last event (the first bytes of a line, no line end): a plain torn line,
            // which `audit repair` alone seals as long as nothing is made current past it. (Cutting bytes off the last
            // line instead would tear the demo's own governance_published event, a loss of its own.)
            var lastLine = log[(Array.LastIndexOf(log, (byte)'\n', log.Length - 2) + 1)..];
            File.WriteAllBytes(logPath, [.. log, .. lastLine[..50]]);
        }
        else
        {
            // Events cut from the end with the head; the anchors still name them.
            File.WriteAllLines(logPath, File.ReadAllLines(logPath)[..^3]);
            File.Delete(Path.Combine(_root.Path, "audit", "audit-head.json"));
        }

        var damaged = File.ReadAllBytes(logPath);
        var published = _root.Files("published");
        var secure = _root.Files("secure");
        var current = _root.Text("published/kpi/current.json");
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using (var hub = EmbeddedHub.Open(_root.Path, null, TimeProvider.System))
        {
            var everySecond = TimerJobs.All.Single(j => j.Name == "RollupQuarter") with { Schedule = "* * * * * *" };
            var runner = new EmbeddedRunner(hub.Context, [everySecond], TimeSpan.FromSeconds(1), TimeSpan.Zero, lines.Enqueue);
            using var stop = new CancellationTokenSource();
            var run = runner.RunAsync(stop.Token);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (!lines.Any(l => l.StartsWith("RollupQuarter:", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            await stop.CancelAsync();
            await run;
        }

        // The job runs every second, so on a loaded machine it may run again before the runner stops: every run must refuse.
        var said = lines.Where(l => l.StartsWith("RollupQuarter:", StringComparison.Ordinal)).ToList();
        said.Should().NotBeEmpty();
        said.Should().AllSatisfy(l => l.Should().Contain("did not run").And.Contain("Nothing was written"));
        _root.Files("published").Should().Equal(published, "no KPI version, governance version or report is written on a log that cannot record it");
        _root.Files("secure").Should().Equal(secure);
        _root.Text("published/kpi/current.json").Should().Be(current, "the current version is not switched");
        File.ReadAllBytes(logPath).Should().Equal(damaged);
        if (torn)
        {
            // Still only a torn line: no version without its event turns it into a loss to accept.
            var (code, output) = await _root.RunAsync("audit", "repair");
            code.Should().Be(Host.Commands.ExitCodes.Ok, output);
            (await _root.RunAsync("audit", "verify")).Code.Should().Be(Host.Commands.ExitCodes.Ok);
        }
    }

    private const string Header = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\n";
}
