using System.Collections.Concurrent;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Host.Commands;
using DataHub.Host.Embedded;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>Issue 9: what a hostile partner or a careless operator drops into landing never stops, loops or misleads `datahub run`.</summary>
public sealed class HostileLandingTests : IDisposable
{
    private const string Police = "incident_id,incident_date,role,forename,surname,date_of_birth,sex,crime,marac_referral\nI1,2018-02-03,victim,Zoe,Oneil,2011-05-12,F,N,N\nI2,2018-06-03,victim,Ann,Oneil,2012-05-12,F,N,N\n";
    private readonly HubRoot _root = new();
    private readonly string _outside;

    public HostileLandingTests()
    {
        _root.RunAsync("key", "init").GetAwaiter().GetResult();
        _outside = Directory.CreateDirectory(_root.Path + "-outside").FullName;
    }

    public void Dispose()
    {
        _root.Dispose();
        Directory.Delete(_outside, recursive: true);
    }

    [Fact]
    public async Task The_runner_goes_on_to_the_next_file_after_a_dangling_link()
    {
        var feed = Landing("police", "police-da-incidents");
        File.CreateSymbolicLink(Path.Combine(feed, "a-dangling.csv"), Path.Combine(_outside, "nothing-here.csv"));
        File.WriteAllText(Path.Combine(feed, "b-valid.csv"), Police);

        var lines = await RunUntilAsync(() => _root.Files("secure").Count > 0 && _root.Files("landing").All(IsArchived));

        _root.Files("secure").Should().Contain(f => f.EndsWith(".parquet", StringComparison.Ordinal), string.Join("\n", lines));
        _root.Files("landing").Should().OnlyContain(f => IsArchived(f), "the valid file was processed and archived, the link refused and removed");
    }

    [Fact]
    public async Task The_runner_goes_on_to_the_next_file_after_a_name_no_object_path_may_have_and_reports_it_once_across_restarts()
    {
        var feed = Landing("police", "police-da-incidents");
        File.WriteAllText(Path.Combine(feed, "a\\backslash.csv"), Police);
        File.WriteAllText(Path.Combine(feed, "b-valid.csv"), Police);

        var lines = await RunUntilAsync(() => _root.Files("secure").Count > 0 && _root.Files("quarantine").Any(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal)));
        var again = await RunUntilPrintedAsync("reported already");

        again.Should().Contain(l => l.Contains("reported already", StringComparison.Ordinal), "the restart looked at the file and found it reported: " + string.Join("\n", again));

        _root.Files("secure").Should().Contain(f => f.EndsWith(".parquet", StringComparison.Ordinal), "one partner's file name stops no other file: " + string.Join("\n", lines));
        _root.Files("quarantine").Should().ContainSingle(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal) && f.EndsWith(".report.json", StringComparison.Ordinal), "a restart does not report it again");
        (await RefusalsAsync()).Should().ContainSingle().Which.Rule.Should().Be("path.traversal");
        File.Exists(Path.Combine(feed, "a\\backslash.csv")).Should().BeTrue("a path that may name another place is never read, moved or deleted");
    }

    [Fact]
    public async Task A_name_the_runner_refused_removed_and_sent_again_alike_is_looked_at_again_in_the_same_run()
    {
        var feed = Landing("police", "police-da-incidents");
        var file = Path.Combine(feed, "a\\backslash.csv");
        File.WriteAllText(file, Police);
        var time = File.GetLastWriteTimeUtc(file);
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var lines = new List<string>();
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.Zero, lines.Add);
        await runner.PollOnceAsync(default);
        (await runner.PollOnceAsync(default)).Should().ContainSingle().Which.Rule.Should().Be("path.traversal");

        File.Delete(file);
        await runner.PollOnceAsync(default);
        File.WriteAllText(file, Police);
        File.SetLastWriteTimeUtc(file, time); // looks the same as the first, as a name that is not UTF-8 always did
        await runner.PollOnceAsync(default);
        var again = await runner.PollOnceAsync(default);

        again.Should().ContainSingle("a path gone from landing is forgotten, so a file there again is looked at: " + string.Join("\n", lines));
        lines.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("Report: Smith.csv")]
    [InlineData("Smith\u0001.csv")]
    public async Task A_file_name_with_a_colon_or_control_character_is_quarantined_with_its_report_and_the_next_file_handled(string name)
    {
        var feed = Landing("police", "police-da-incidents");
        File.WriteAllText(Path.Combine(feed, name), Police);
        File.WriteAllText(Path.Combine(feed, "b-valid.csv"), Police);

        var lines = await RunUntilAsync(() => _root.Files("secure").Count > 0 && _root.Files("landing").All(IsArchived));
        await RunUntilAsync(() => false, TimeSpan.FromSeconds(1));

        _root.Files("landing").Should().OnlyContain(f => IsArchived(f), string.Join("\n", lines));
        var unrouted = _root.Files("quarantine").Where(f => f.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal)).ToList();
        unrouted.Where(f => !f.Contains(".report.", StringComparison.Ordinal)).Select(_root.Text).Should().Equal([Police], "the file itself is kept");
        unrouted.Where(f => f.EndsWith(".report.json", StringComparison.Ordinal)).Select(_root.Text).Should().ContainSingle()
            .Which.Should().Contain("path.name_characters").And.NotContain("Smith");
        (await RefusalsAsync()).Should().ContainSingle("it is moved, so a restart finds nothing to report again");
    }

    [Fact]
    public async Task A_file_whose_name_is_not_UTF8_is_reported_by_folder_and_label_once_across_restarts()
    {
        // A Windows SFTP client may send "incidents-Renée.csv" in Windows-1252: byte E9, not UTF-8.
        var feed = Landing("police", "police-da-incidents");
        var start = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false };
        foreach (var argument in (string[])["-c", "printf '%s' \"$1\" > \"$0/$(printf 'incidents-Ren\\351e.csv')\"", feed, Police])
        {
            start.ArgumentList.Add(argument);
        }

        using (var shell = System.Diagnostics.Process.Start(start)!)
        {
            await shell.WaitForExitAsync();
        }

        var lines = await RunUntilAsync(() => _root.Files("quarantine").Any(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal)));
        var again = await RunUntilPrintedAsync("reported already");
        var (_, shown) = await _root.RunAsync("audit", "show", "--last", "100");

        var refusal = (await RefusalsAsync()).Should().ContainSingle("a restart does not report it again: " + string.Join("\n", lines.Concat(again))).Subject;
        refusal.Rule.Should().Be("path.name_encoding");
        refusal.Path.Should().MatchRegex("^landing/police/police-da-incidents/file-[0-9a-f]{8}\\.csv$", "named by its folder and a label of its name");
        var report = _root.Files("quarantine").Should().ContainSingle(f => f.EndsWith(".report.json", StringComparison.Ordinal)).Subject;
        _root.Text(report).Should().Contain("path.name_encoding").And.Contain("rename");
        lines.Should().ContainSingle(l => l.Contains("path.name_encoding", StringComparison.Ordinal));
        again.Should().Contain(l => l.Contains("reported already", StringComparison.Ordinal), "the restart looked at the file and found it reported");
        lines.Concat(again).Append(shown).Append(_root.Text(report)).Should().OnlyContain(t => !t.Contains("Ren", StringComparison.Ordinal) && !t.Contains("incidents-", StringComparison.Ordinal));
        Directory.EnumerateFiles(feed).Should().ContainSingle("the hub cannot open or move it; it waits for the partner to rename it");
    }

    [Fact]
    public async Task A_folder_nested_past_the_path_limit_stops_no_ingest_and_the_runner_reports_it_once_by_label()
    {
        // A partner's mkdir in a loop: 20 folders of 250 bytes run past Linux's 4,096-byte path limit.
        var schools = Landing("schools", "school-attendance");
        var name = string.Concat(Enumerable.Repeat("Zebedee Quillfeather ", 12))[..250];
        var start = new System.Diagnostics.ProcessStartInfo("mkdir") { UseShellExecute = false, WorkingDirectory = schools };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(string.Join('/', Enumerable.Repeat(name, 20)));
        using (var mkdir = System.Diagnostics.Process.Start(start)!)
        {
            await mkdir.WaitForExitAsync();
        }

        try
        {
            var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "first.csv", Police);
            File.WriteAllText(Path.Combine(Landing("police", "police-da-incidents"), "second.csv"), Police.Replace("I2,", "I3,", StringComparison.Ordinal));
            var lines = await RunUntilAsync(() => _root.Files("quarantine").Any(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal)) && !File.Exists(Path.Combine(_root.Path, "landing", "police", "police-da-incidents", "second.csv")));
            var again = await RunUntilPrintedAsync("reported already");

            code.Should().Be(ExitCodes.Ok, "one partner's folder stops no other partner's delivery: " + output);
            File.Exists(Path.Combine(_root.Path, "landing", "police", "police-da-incidents", "second.csv")).Should().BeFalse("the runner goes on to the other files: " + string.Join("\n", lines));
            var refusal = (await RefusalsAsync()).Should().ContainSingle("a restart does not report it again: " + string.Join("\n", lines.Concat(again))).Subject;
            refusal.Rule.Should().Be(LandingPath.TooDeepRule);
            refusal.Path.Should().MatchRegex("^landing/~file-[0-9a-f]{8}$");
            lines.Concat(again).Append(output).Append(refusal.Detail).Should().OnlyContain(t => !t!.Contains("Zebedee", StringComparison.Ordinal));
        }
        finally
        {
            using var rm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("rm", ["-rf", name]) { UseShellExecute = false, WorkingDirectory = schools })!;
            await rm.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_symbolic_link_nested_past_the_path_limit_stops_no_ingest_and_the_runner_reports_it_once_by_label()
    {
        // The deepest chain of 250-byte folders the OS still takes, and in it a dangling link whose own path is past the limit.
        var schools = Landing("schools", "school-attendance");
        var name = string.Concat(Enumerable.Repeat("Zebedee Quillfeather ", 12))[..250];
        var chain = string.Join('/', Enumerable.Repeat(name, (4095 - System.Text.Encoding.UTF8.GetByteCount(schools)) / (name.Length + 1)));
        var start = new System.Diagnostics.ProcessStartInfo("sh") { UseShellExecute = false, WorkingDirectory = schools };
        foreach (var argument in (string[])["-c", "mkdir -p \"$0\" && cd \"$0\" && ln -s nowhere \"$1\"", chain, name[..246] + ".csv"])
        {
            start.ArgumentList.Add(argument);
        }

        using (var make = System.Diagnostics.Process.Start(start)!)
        {
            await make.WaitForExitAsync();
            make.ExitCode.Should().Be(0);
        }

        try
        {
            var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "first.csv", Police);
            File.WriteAllText(Path.Combine(Landing("police", "police-da-incidents"), "second.csv"), Police.Replace("I2,", "I3,", StringComparison.Ordinal));
            var lines = await RunUntilAsync(() => _root.Files("quarantine").Any(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal)) && !File.Exists(Path.Combine(_root.Path, "landing", "police", "police-da-incidents", "second.csv")));

            code.Should().Be(ExitCodes.Ok, "one partner's link stops no other partner's delivery: " + output);
            File.Exists(Path.Combine(_root.Path, "landing", "police", "police-da-incidents", "second.csv")).Should().BeFalse("the runner goes on to the other files: " + string.Join("\n", lines));
            var refusal = (await RefusalsAsync()).Should().ContainSingle().Subject;
            refusal.Rule.Should().Be(LandingPath.TooDeepRule);
            lines.Append(output).Append(refusal.Detail).Should().OnlyContain(t => !t!.Contains("Zebedee", StringComparison.Ordinal));
        }
        finally
        {
            using var rm = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("rm", ["-rf", name]) { UseShellExecute = false, WorkingDirectory = schools })!;
            await rm.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task The_runner_goes_on_after_a_torn_audit_line_and_ingests_the_waiting_file_once_the_log_is_repaired()
    {
        (await _root.IngestAsync("police", "police-da-incidents", "first.csv", Police)).Code.Should().Be(ExitCodes.Ok);
        await File.AppendAllTextAsync(Path.Combine(_root.Path, "audit", "audit-log.jsonl"), "{\"seq\":99,\"time\":\"2026-11-");
        File.WriteAllText(Path.Combine(Landing("police", "police-da-incidents"), "second.csv"), Police.Replace("I2,", "I3,", StringComparison.Ordinal));

        var broken = await RunUntilAsync(() => false, TimeSpan.FromSeconds(2));
        _root.Files("landing").Should().Contain(f => !IsArchived(f), "nothing is ingested that cannot be audited: " + string.Join("\n", broken));

        (await _root.RunAsync("audit", "repair")).Code.Should().Be(ExitCodes.Ok);
        var lines = await RunUntilAsync(() => _root.Files("landing").All(IsArchived));

        _root.Files("landing").Should().OnlyContain(f => IsArchived(f), string.Join("\n", lines));
        (await _root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok, "the torn line was kept aside and the chain continued");
    }

    [Fact]
    public async Task A_file_with_a_name_the_hub_does_not_take_stays_in_landing_while_the_audit_log_end_is_torn()
    {
        (await _root.IngestAsync("police", "police-da-incidents", "first.csv", Police)).Code.Should().Be(ExitCodes.Ok);
        await File.AppendAllTextAsync(Path.Combine(_root.Path, "audit", "audit-log.jsonl"), "{\"seq\":99,\"time\":\"2026-11-");
        var feed = Landing("police", "police-da-incidents");
        File.WriteAllText(Path.Combine(feed, "Report: Smith.csv"), Police);

        var broken = await RunUntilAsync(lines => lines.Count > 0, TimeSpan.FromSeconds(5));

        broken.Should().Contain(l => l.Contains("not handled", StringComparison.Ordinal) && l.Contains("Nothing was written", StringComparison.Ordinal));
        _root.Files("quarantine").Should().BeEmpty("it is not moved to quarantine where no event can say so: " + string.Join("\n", broken));
        Directory.EnumerateFiles(feed).Should().ContainSingle("it stays in landing, as the runner says, until the log is repaired");
    }

    [AccessDeniedFact]
    public async Task A_file_the_runner_cannot_read_is_refused_once_by_label_and_ingested_in_the_same_run_once_its_permissions_are_fixed()
    {
        var feed = Landing("police", "police-da-incidents");
        var unreadable = Path.Combine(feed, "Zebedee Quillfeather.csv");
        File.WriteAllText(unreadable, Police);
        File.WriteAllText(Path.Combine(feed, "b-valid.csv"), Police.Replace("I2,", "I3,", StringComparison.Ordinal));
        using var closed = new DeniedAccess(unreadable);
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var lines = new List<string>();
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.Zero, lines.Add);

        await runner.PollOnceAsync(default);
        var first = await runner.PollOnceAsync(default);
        var next = await runner.PollOnceAsync(default);
        closed.Restore();
        _root.Clock.Advance(TimeSpan.FromMinutes(31));
        var afterFix = await runner.PollOnceAsync(default);

        first.Select(o => (o.Status, o.Rule)).Should().BeEquivalentTo([(IngestStatus.Refused, (string?)LandingPath.UnreadableRule), (IngestStatus.Stored, null)], string.Join("\n", lines));
        runner.Failures.Should().Be(0, "a file the hub may not read is refused, not a failure retried for ever");
        next.Should().BeEmpty("it is not handled again on every poll");
        (await RefusalsAsync()).Should().ContainSingle().Which.Rule.Should().Be(LandingPath.UnreadableRule);
        afterFix.Should().ContainSingle("the runner looks again, so an operator's chmod needs no restart").Which.Status.Should().Be(IngestStatus.Stored);
        lines.Should().OnlyContain(l => !l.Contains("Zebedee", StringComparison.Ordinal) && !l.Contains(_root.Path, StringComparison.Ordinal));
    }

    [AccessDeniedFact]
    public async Task Ingest_into_a_landing_folder_the_hub_cannot_open_exits_4_naming_the_runbook_section_and_no_path()
    {
        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing")).FullName;
        using var closed = new DeniedAccess(landing);

        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "Zebedee Quillfeather.csv", Police);

        code.Should().Be(ExitCodes.Failed, output);
        output.Should().Contain("cannot be opened by the hub's user").And.Contain("A folder or file the hub cannot open")
            .And.NotContain("Zebedee").And.NotContain(_root.Path);
    }

    [Fact]
    public async Task The_runner_keeps_watching_while_the_audit_log_cannot_take_an_event_and_says_how_to_repair_it()
    {
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var lines = new ConcurrentQueue<string>();
        var audited = new TimerJob("Audited", "* * * * * *", async (context, ct) =>
        {
            await context.Audit.AppendAsync(new AuditEntry(AuditKinds.Written, Agreement: "none", Detail: "tick"), ct);
            return "ran";
        });
        var runner = new EmbeddedRunner(hub.Context, [audited], TimeSpan.FromMilliseconds(50), TimeSpan.Zero, lines.Enqueue);
        await File.AppendAllTextAsync(Path.Combine(_root.Path, "audit", "audit-log.jsonl"), "{\"seq\":99,\"time\":\"2026-11-");
        File.WriteAllText(Path.Combine(Landing("police", "police-da-incidents"), "Zebedee Quillfeather 02-03-1981.csv"), Police);

        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (lines.Count(l => l.StartsWith("Audited:", StringComparison.Ordinal)) < 2 && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(50);
        }

        run.IsCompleted.Should().BeFalse("a broken audit log stops no loop: " + string.Join("\n", lines));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        lines.Where(l => l.StartsWith("Audited:", StringComparison.Ordinal)).Should().HaveCountGreaterThanOrEqualTo(2, "the job is tried on every occurrence")
            .And.OnlyContain(l => l.Contains("audit repair", StringComparison.Ordinal));
        lines.Should().ContainSingle(l => l.StartsWith("landing/", StringComparison.Ordinal), "the file is tried once, then paused")
            .Which.Should().Contain("audit repair").And.NotContain("Zebedee").And.NotContain("1981");
        runner.Failures.Should().Be(1);
        _root.Files("landing").Should().ContainSingle(f => !IsArchived(f), "the file waits in landing until the log is repaired");
    }

    [Fact]
    public async Task A_partner_folder_link_never_ingests_or_moves_another_folders_files()
    {
        var elsewhere = Directory.CreateDirectory(Path.Combine(_outside, "police-da-incidents")).FullName;
        var victim = Path.Combine(elsewhere, "other.csv");
        File.WriteAllText(victim, Police);
        Directory.CreateSymbolicLink(Path.Combine(Directory.CreateDirectory(Path.Combine(_root.Path, "landing")).FullName, "police"), _outside);
        File.WriteAllText(Path.Combine(Landing("schools", "school-attendance"), "marker.csv"), "x\n");

        var lines = await RunUntilAsync(() => _root.Files("quarantine").Any(f => f.StartsWith("quarantine/_refused/", StringComparison.Ordinal)) && !Directory.Exists(Path.Combine(_root.Path, "landing", "police")));

        File.ReadAllText(victim).Should().Be(Police, "a file reached through a link is never read, moved or deleted");
        _root.Files("secure").Should().BeEmpty(string.Join("\n", lines));
        _root.Files("landing").Should().NotContain(f => f.StartsWith("landing/_processed/police/", StringComparison.Ordinal));
        Directory.Exists(Path.Combine(_root.Path, "landing", "police")).Should().BeFalse("the link itself is removed");
        Directory.Exists(elsewhere).Should().BeTrue();
    }

    [Fact]
    public async Task A_partner_or_feed_folder_named_after_a_person_is_never_repeated_and_its_file_is_kept_in_quarantine()
    {
        // Plain lower-case names pass the folder-name check, but no agreement or contract vouches for them: a partner can
        // create any folder in landing, and one named after a child is as identifying as a file name.
        File.WriteAllText(Path.Combine(Landing("zebedee-quillfeather-1981-03-02", "police-da-incidents"), "jan.csv"), Police);
        File.WriteAllText(Path.Combine(Landing("police", "zebedee-quillfeather-02031981"), "feb.csv"), Police);

        var lines = await RunUntilAsync(() => _root.Files("landing").Count == 0);
        var (_, shown) = await _root.RunAsync("audit", "show", "--last", "100");

        _root.Files("landing").Should().BeEmpty(string.Join("\n", lines));
        var unrouted = _root.Files("quarantine").Where(f => f.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal)).ToList();
        unrouted.Where(f => f.EndsWith(".report.json", StringComparison.Ordinal)).Select(_root.Text).Should().HaveCount(2)
            .And.ContainSingle(r => r.Contains("\"protocol.unknown_partner\"", StringComparison.Ordinal))
            .And.ContainSingle(r => r.Contains("\"protocol.unknown_feed\"", StringComparison.Ordinal));
        unrouted.Where(f => !f.Contains(".report.", StringComparison.Ordinal)).Select(_root.Text).Should().Equal([Police, Police], "each file itself is kept");
        var kept = unrouted.Where(f => !f.Contains(".report.", StringComparison.Ordinal)).ToHashSet();
        var everything = _root.Files(".").Where(f => !kept.Contains(f)).Select(f => f + "\n" + _root.Text(f)).Concat(lines).Append(shown);
        everything.Should().OnlyContain(t => !t.Contains("zebedee", StringComparison.OrdinalIgnoreCase) && !t.Contains("quillfeather", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_file_name_ending_in_part_of_a_persons_name_is_never_repeated_as_its_extension()
    {
        // After the last full stop is often a name, not a file type ("J.Smith", "Zebedee.Quill"): stored, then quarantined.
        var stored = await _root.IngestAsync("police", "police-da-incidents", "Zebedee.Quill", Police);
        var quarantined = await _root.IngestAsync("police", "police-da-incidents", "Quillfeather.Zeb", "incident_id,surname\nI1,Oneil\n");
        var (_, shown) = await _root.RunAsync("audit", "show", "--last", "100");

        stored.Code.Should().Be(ExitCodes.Ok, stored.Output);
        quarantined.Code.Should().Be(ExitCodes.Rejected, quarantined.Output);
        var everything = _root.Files(".").Select(f => f + "\n" + _root.Text(f)).Append(stored.Output).Append(quarantined.Output).Append(shown).ToList();
        everything.Should().HaveCountGreaterThan(10);
        everything.Should().OnlyContain(t => !t.Contains("quill", StringComparison.OrdinalIgnoreCase) && !t.Contains(".zeb", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_240_character_file_name_is_stored_once_and_archived_however_often_the_runner_restarts()
    {
        var name = new string('n', 236) + ".csv";
        File.WriteAllText(Path.Combine(Landing("police", "police-da-incidents"), name), Police);

        for (var restart = 0; restart < 3; restart++)
        {
            await RunUntilAsync(() => _root.Files("landing").All(IsArchived), TimeSpan.FromSeconds(restart == 0 ? 20 : 1));
        }

        var written = await WrittenPathsAsync();
        written.Should().NotBeEmpty();
        written.Should().OnlyHaveUniqueItems("each mart file is written once, not on every pass");
        _root.Files("landing").Should().ContainSingle().Which.Should().StartWith("landing/_processed/");
        _root.Files("landing").Concat(_root.Files("quarantine")).Concat(_root.Files("audit")).Concat(_root.Files("receipts"))
            .Should().OnlyContain(f => !f.Contains(new string('n', 40), StringComparison.Ordinal), "derived names never carry the file's name");
    }

    [Fact]
    public async Task A_250_character_file_name_given_to_ingest_is_stored()
    {
        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", new string('m', 246) + ".csv", Police);

        code.Should().Be(ExitCodes.Ok, output);
        _root.Files("secure").Should().Contain(f => f.EndsWith(".parquet", StringComparison.Ordinal));
        output.Should().NotContain(new string('m', 20));
    }

    [Fact]
    public async Task A_partner_file_whose_name_merely_starts_like_a_temporary_file_is_quarantined_with_a_report_not_swept_away()
    {
        var feed = Landing("police", "police-da-incidents");
        var old = Path.Combine(feed, ".tmp-export.csv");
        File.WriteAllText(old, Police);
        File.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddHours(-2));
        File.WriteAllText(Path.Combine(feed, ".tmp-2024-03-export.csv"), Police);

        var lines = await RunUntilAsync(() => _root.Files("quarantine").Count(f => f.EndsWith(".report.json", StringComparison.Ordinal)) == 2);

        _root.Files("quarantine").Where(f => f.StartsWith("quarantine/_unrouted/", StringComparison.Ordinal) && f.EndsWith(".report.json", StringComparison.Ordinal)).Select(_root.Text)
            .Should().HaveCount(2, string.Join("\n", lines)).And.OnlyContain(r => r.Contains("\"path.hidden\"", StringComparison.Ordinal));
        Directory.EnumerateFiles(feed, "*", SearchOption.AllDirectories).Should().BeEmpty("each file is kept in quarantine, neither left unseen nor deleted");
    }

    [Fact]
    public async Task Start_up_removes_the_temporary_file_a_killed_copy_left_in_landing()
    {
        var feed = Landing("police", "police-da-incidents");
        var killedCopy = Path.Combine(feed, $".tmp-{Guid.NewGuid():N}-jan.csv");
        File.WriteAllText(killedCopy, Police);
        File.SetLastWriteTimeUtc(killedCopy, DateTime.UtcNow.AddHours(-2));

        (await _root.IngestAsync("police", "police-da-incidents", "feb.csv", Police)).Code.Should().Be(ExitCodes.Ok);

        File.Exists(killedCopy).Should().BeFalse("a killed copy's temporary file holds raw identifiable data");
    }

    private static bool IsArchived(string path) => path.StartsWith("landing/_processed/", StringComparison.Ordinal);

    private string Landing(string partner, string feed) => Directory.CreateDirectory(Path.Combine(_root.Path, "landing", partner, feed)).FullName;

    private async Task<List<AuditEntry>> RefusalsAsync()
    {
        var log = new LocalAuditLog(_root.Path, _root.Clock);
        return [.. (await log.ReadAsync(default).ToListAsync()).Where(e => e.Entry.Kind == AuditKinds.PathRefused).Select(e => e.Entry)];
    }

    private async Task<List<string>> WrittenPathsAsync()
    {
        var log = new LocalAuditLog(_root.Path, _root.Clock);
        return [.. (await log.ReadAsync(default).ToListAsync()).Where(e => e.Entry.Kind == AuditKinds.Written).Select(e => e.Entry.Path!)];
    }

    /// <summary>Runs the embedded host (as `datahub run`) until <paramref name="done"/> or the timeout, then stops it as Ctrl+C would.</summary>
    private Task<List<string>> RunUntilAsync(Func<bool> done, TimeSpan? timeout = null) => RunUntilAsync(_ => done(), timeout);

    // A run that must show it looked (a restart finding a file reported already): until it prints a line with the text.
    private Task<List<string>> RunUntilPrintedAsync(string text) =>
        RunUntilAsync(lines => lines.Any(l => l.Contains(text, StringComparison.Ordinal)), null);

    private async Task<List<string>> RunUntilAsync(Func<IReadOnlyCollection<string>, bool> done, TimeSpan? timeout)
    {
        using var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock);
        var lines = new ConcurrentQueue<string>();
        var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.FromMilliseconds(50), TimeSpan.Zero, lines.Enqueue);
        using var stop = new CancellationTokenSource();
        var run = runner.RunAsync(stop.Token);
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (!done(lines) && DateTime.UtcNow < deadline && !run.IsCompleted)
        {
            await Task.Delay(50);
        }

        // A few more polls: anything the runner would do wrongly next (loop, re-ingest) shows up.
        await Task.Delay(300);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(30));
        return [.. lines];
    }
}
