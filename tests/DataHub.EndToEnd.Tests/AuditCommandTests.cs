using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataHub.Core.Audit;
using DataHub.Host.Commands;
using DataHub.Host.Embedded;
using DataHub.Seeds;
using DataHub.Testing;

namespace DataHub.EndToEnd.Tests;

/// <summary>
/// Issue 14: `audit verify` reports every way of tampering with the audit (exit 2); a torn last line stops writers with
/// exit 3 and a fix-it message, and `audit repair` seals it without discarding a byte.
/// </summary>
public sealed class AuditCommandTests : IDisposable
{
    private readonly HubRoot _root = new();

    public void Dispose() => _root.Dispose();

    private string LogPath => Path.Combine(_root.Path, "audit", "audit-log.jsonl");

    private string HeadPath => Path.Combine(_root.Path, "audit", "audit-head.json");

    /// <summary>A root with keys and two police extracts from the seeded generator ingested: a log of a few dozen keyed events, anchored.</summary>
    private async Task IngestTwoExtractsAsync()
    {
        (await _root.RunAsync("key", "init")).Code.Should().Be(ExitCodes.Ok);
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "jan.csv", police.Content)).Code.Should().Be(ExitCodes.Ok);
        (await _root.IngestAsync(police.Partner, police.Feed, "feb.csv", [.. police.Content, .. "\n"u8])).Code.Should().Be(ExitCodes.Ok);
        (await _root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
    }

    private async Task<string> VerifyBrokenAsync()
    {
        var (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("BROKEN");
        return output;
    }

    [Theory]
    [InlineData("verify")]
    [InlineData("show")]
    [InlineData("repair")]
    public async Task Azure_and_a_root_together_are_refused_as_a_usage_error_naming_both(string subcommand)
    {
        // The test root always passes --root; with --azure as well, the operator named two trails.
        var (code, output) = await _root.RunAsync("audit", subcommand, "--azure");
        code.Should().Be(ExitCodes.Usage, output);
        output.Should().Contain("--azure and --root name two different audit trails");
    }

    [Fact]
    public async Task Show_lists_the_key_version_each_received_files_label_was_made_under()
    {
        await IngestTwoExtractsAsync();

        var (code, output) = await _root.RunAsync("audit", "show", "--last", "0");

        code.Should().Be(ExitCodes.Ok, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Should().Contain("label key");
        var received = lines.Where(l => Regex.IsMatch(l, @"\sreceived\s")).ToList();
        received.Should().HaveCount(2).And.OnlyContain(l => Regex.IsMatch(l, @"\.csv\s+v1\s"), "each file's label was made under the key `key init` made");
        lines.Where(l => Regex.IsMatch(l, @"\sarchived\s")).Should().NotBeEmpty().And.NotContain(l => Regex.IsMatch(l, @"\s+v1\s"), "only a received event names its label's key version");
    }

    [Fact]
    public async Task Verify_reports_the_tail_cut_off_together_with_the_head()
    {
        await IngestTwoExtractsAsync();
        var lines = File.ReadAllLines(LogPath);
        File.WriteAllLines(LogPath, lines.Take(lines.Length - 4));
        File.Delete(HeadPath);
        (await VerifyBrokenAsync()).Should().Contain("missing from its end").And.Contain("anchors/audit-anchors.jsonl");
    }

    [Fact]
    public async Task Verify_reports_the_log_and_head_deleted()
    {
        await IngestTwoExtractsAsync();
        File.Delete(LogPath);
        File.Delete(HeadPath);
        (await VerifyBrokenAsync()).Should().Contain("deleted or emptied");
    }

    [Fact]
    public async Task Verify_reports_an_event_removed_and_the_chain_recomputed_without_the_key()
    {
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Select(l => AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(l))).ToList();
        var kept = events.Take(4).ToList();
        foreach (var e in events.Skip(5))
        {
            // Without the audit key a forger can only re-chain with the plain SHA-256 the chain once used.
            kept.Add(UnkeyedAudit.Seal(e.Entry, kept[^1], e.Time));
        }

        File.WriteAllLines(LogPath, kept.Select(e => Encoding.UTF8.GetString(AuditChain.ToJsonLine(e))));
        File.WriteAllText(HeadPath, $"{{\"Sequence\":{kept[^1].Sequence},\"Hash\":\"{kept[^1].Hash}\"}}");
        (await VerifyBrokenAsync()).Should().Contain("event 5 is unkeyed after keyed events").And.Contain("without the audit key");
    }

    [Fact]
    public async Task Verify_reports_a_property_added_to_an_event()
    {
        await IngestTwoExtractsAsync();
        var lines = File.ReadAllLines(LogPath);
        lines[3] = lines[3].Replace("\"kind\":", "\"reviewed_by\":\"someone\",\"kind\":", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);
        (await VerifyBrokenAsync()).Should().Contain("property was added").And.Contain("BROKEN at event 4");
    }

    [Fact]
    public async Task Verify_reports_a_torn_last_line_and_names_the_repair()
    {
        await IngestTwoExtractsAsync();
        var bytes = File.ReadAllBytes(LogPath);
        File.WriteAllBytes(LogPath, bytes[..^50]);
        (await VerifyBrokenAsync()).Should().Contain("torn").And.Contain("datahub audit repair");
    }

    [Fact]
    public async Task Ingest_and_rollup_refuse_a_torn_audit_with_exit_3_and_a_fix_it_message_and_write_nothing()
    {
        await IngestTwoExtractsAsync();
        var bytes = File.ReadAllBytes(LogPath);
        File.WriteAllBytes(LogPath, bytes[..^50]);
        var before = _root.Files(string.Empty);

        var (code, output) = await _root.IngestAsync("police", "police-da-incidents", "mar.csv", "incident_id\n");
        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain("torn").And.Contain("datahub audit repair").And.NotContain("   at ", "no stack trace");
        (code, output) = await _root.RunAsync("rollup");
        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain("datahub audit repair");
        File.ReadAllBytes(LogPath).Should().Equal(bytes[..^50]);
        _root.Files(string.Empty).Where(f => !f.StartsWith("logs/", StringComparison.Ordinal) && !f.StartsWith("locks/", StringComparison.Ordinal))
            .Should().BeEquivalentTo(before.Where(f => !f.StartsWith("logs/", StringComparison.Ordinal) && !f.StartsWith("locks/", StringComparison.Ordinal)), "nothing is written while the audit is broken");
    }

    [Fact]
    public async Task Governance_refuses_a_torn_audit_with_exit_3_and_a_fix_it_message_and_writes_nothing()
    {
        await IngestWithCohortAsync();
        var bytes = File.ReadAllBytes(LogPath);
        File.WriteAllBytes(LogPath, bytes[..^50]);

        var output = await GovernanceRefusedAsync();

        output.Should().Contain("torn").And.Contain("datahub audit repair");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Governance_refuses_with_exit_3_and_writes_nothing_when_events_were_cut_from_the_log_end_or_the_anchors_are_gone(bool anchorsGone)
    {
        await IngestWithCohortAsync();
        // A published governance version, so there is a pointer a refused run could move.
        (await _root.RunAsync("rollup")).Code.Should().Be(ExitCodes.Ok);
        var pointer = _root.Text("published/governance/current.json");
        if (anchorsGone)
        {
            RemoveAnchors(emptied: false);
        }
        else
        {
            // The head kept: it names the events cut.
            File.WriteAllLines(LogPath, File.ReadAllLines(LogPath)[..^2]);
        }

        var output = await GovernanceRefusedAsync();

        output.Should().Contain(anchorsGone ? "anchor" : "removed from its end");
        _root.Text("published/governance/current.json").Should().Be(pointer);
    }

    // A partner path no message or table may quote: a damaged line is named by its position only.
    private const string RawPath = "landing/police/secret-name.csv";

    // Damages the fourth line of the log (event 4) in one of the ways `audit verify` reports inside a log.
    private void DamageFourthEvent(string damage)
    {
        var lines = File.ReadAllLines(LogPath).ToList();
        lines[3] = damage switch
        {
            "property_added" => lines[3].Replace("\"kind\":", $"\"reviewed_by\":\"{RawPath}\",\"kind\":", StringComparison.Ordinal),
            "property_removed" => Regex.Replace(lines[3], "\"kind\":\"[^\"]*\",", string.Empty),
            "unparsable" => $"{{\"seq\":4,\"path\":\"{RawPath}\"",
            "wrong_type" => Regex.Replace(lines[3], "^\\{\"seq\":4,", "{\"seq\":\"4\","),
            "time_not_a_time" => Regex.Replace(lines[3], "\"time\":\"[^\"]*\"", $"\"time\":\"{RawPath}\""),
            "value_edited" => lines[3].Replace("police", "p0lice", StringComparison.Ordinal),
            "seal_replaced" => Regex.Replace(lines[3], "\"mac\":\"(.)", m => $"\"mac\":\"{(m.Groups[1].Value == "0" ? "1" : "0")}"),
            "reordered" => lines[4],
            "duplicated" => lines[3],
            _ => throw new ArgumentOutOfRangeException(nameof(damage)),
        };
        if (damage == "reordered")
        {
            lines[4] = File.ReadAllLines(LogPath)[3];
        }
        else if (damage == "duplicated")
        {
            lines.Insert(4, lines[3]);
        }

        var before = File.ReadAllLines(LogPath);
        lines.Should().NotEqual(before, "the damage was made");
        File.WriteAllLines(LogPath, lines);
    }

    [Theory]
    [InlineData("property_added")]
    [InlineData("property_removed")]
    [InlineData("unparsable")]
    [InlineData("wrong_type")]
    [InlineData("time_not_a_time")]
    [InlineData("value_edited")]
    [InlineData("seal_replaced")]
    [InlineData("reordered")]
    [InlineData("duplicated")]
    public async Task Governance_publishes_the_chain_broken_at_the_first_bad_event_for_damage_inside_the_log(string damage)
    {
        await IngestWithCohortAsync();
        DamageFourthEvent(damage);
        var verified = await VerifyBrokenAsync();
        var lines = File.ReadAllLines(LogPath).Count(l => l.Length > 0);
        var unreadable = damage is "property_added" or "property_removed" or "unparsable" or "wrong_type" or "time_not_a_time" ? 1 : 0;

        var (code, output) = await _root.RunAsync("governance");

        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("audit chain BROKEN").And.NotContain("unexpected");
        var version = JsonDocument.Parse(_root.Text("published/governance/current.json")).RootElement.GetProperty("version").GetString()!;
        var chain = File.ReadAllLines(Path.Combine(_root.Path, version, "activity.csv")).Should().ContainSingle(l => l.StartsWith("audit_chain,", StringComparison.Ordinal)).Subject;
        chain.Should().Contain(",broken,").And.MatchRegex(@"event [34]\b", "the first bad event (or the line after the last good one) is named");
        await ReadableEventsWereKeptAsync(version, lines - unreadable, unreadable);
        verified.Should().NotContain(RawPath);
        _root.Files("logs").Should().NotBeEmpty("the hub's log is checked too");
        foreach (var file in _root.Files(version).Concat(_root.Files("logs")))
        {
            _root.Text(file).Should().NotContain(RawPath, $"{file} names the damaged line by its position only");
        }

        output.Should().NotContain(RawPath);
    }

    [Theory]
    [InlineData("property_added")]
    [InlineData("unparsable")]
    public async Task Rollup_publishes_governance_and_the_board_report_with_the_chain_broken_for_damage_inside_the_log(string damage)
    {
        await IngestWithCohortAsync();
        DamageFourthEvent(damage);

        var (code, output) = await _root.RunAsync("rollup");

        code.Should().Be(ExitCodes.Ok, output);
        var version = JsonDocument.Parse(_root.Text("published/governance/current.json")).RootElement.GetProperty("version").GetString()!;
        File.ReadAllLines(Path.Combine(_root.Path, version, "activity.csv")).Should().ContainSingle(l => l.StartsWith("audit_chain,", StringComparison.Ordinal))
            .Which.Should().Contain(",broken,");
        var manifest = JsonDocument.Parse(_root.Text(version + "/manifest.json")).RootElement;
        var read = manifest.GetProperty("audit_events").GetInt32();
        read.Should().Be(manifest.GetProperty("last_sequence").GetInt32() - 1, "every event but the damaged one is read, the rollup's own included");
        await ReadableEventsWereKeptAsync(version, read, 1);
        var report = _root.Files("published/report").Should().ContainSingle().Subject;
        _root.Text(report).Should().NotContain(RawPath).And.Contain("role=\"alert\"", "the board report opens with the broken chain, not only its last section");
    }

    // The tables were built from every event that could be read, and each says so: deliveries are there, the manifest counts
    // the events read and the lines left out, and every table carries the chain's status and that count.
    private async Task ReadableEventsWereKeptAsync(string version, int events, int unreadable)
    {
        var manifest = JsonDocument.Parse(_root.Text(version + "/manifest.json")).RootElement;
        manifest.GetProperty("audit_events").GetInt32().Should().Be(events, "every event that can be read is counted");
        manifest.GetProperty("audit_lines_unreadable").GetInt32().Should().Be(unreadable);
        File.ReadAllLines(Path.Combine(_root.Path, version, "deliveries.csv")).Length.Should().BeGreaterThan(1, "the deliveries the readable events record are published");
        var chain = File.ReadAllLines(Path.Combine(_root.Path, version, "activity.csv")).Single(l => l.StartsWith("audit_chain,", StringComparison.Ordinal));
        if (unreadable > 0)
        {
            chain.Should().Contain($"{unreadable} audit line(s) that cannot be read were left out");
        }

        foreach (var table in new[] { "deliveries", "rejections", "scorecard", "activity" })
        {
            await using var file = File.OpenRead(Path.Combine(_root.Path, version, table + ".parquet"));
            await using var reader = await DataHub.Parquet.ParquetReader.OpenAsync(file, table);
            reader.Metadata.Should().Contain("datahub.audit_chain", "broken").And.Contain("datahub.audit_lines_unreadable", unreadable.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task Report_refuses_a_torn_audit_with_exit_3_and_a_fix_it_message_and_leaves_the_report_as_it_was()
    {
        await IngestWithCohortAsync();
        (await _root.RunAsync("rollup")).Code.Should().Be(ExitCodes.Ok);
        var report = _root.Files("published/report").Should().ContainSingle().Subject;
        var written = _root.Text(report);
        var bytes = File.ReadAllBytes(LogPath);
        File.WriteAllBytes(LogPath, bytes[..^50]);
        _root.Clock.Advance(TimeSpan.FromHours(1));

        var (code, output) = await _root.RunAsync("report");

        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain("torn").And.Contain("datahub audit repair").And.NotContain("   at ", "no stack trace");
        _root.Text(report).Should().Be(written, "no report is written from a trail whose end is broken");
        File.ReadAllBytes(LogPath).Should().Equal(bytes[..^50]);
    }

    [Fact]
    public async Task Report_refuses_a_trail_that_fails_its_check_while_the_published_tables_say_intact_and_reports_it_broken_once_they_say_so()
    {
        await IngestWithCohortAsync();
        (await _root.RunAsync("rollup")).Code.Should().Be(ExitCodes.Ok);
        var report = _root.Files("published/report").Should().ContainSingle().Subject;
        var written = _root.Text(report);
        written.Should().Contain("status-intact");
        var lines = File.ReadAllLines(LogPath);
        lines[3] = lines[3].Replace("police", "p0lice", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);
        _root.Clock.Advance(TimeSpan.FromHours(1));

        var (code, output) = await _root.RunAsync("report");

        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("BROKEN at event 4").And.Contain("intact").And.Contain($"`datahub governance --root {_root.Path}`");
        _root.Text(report).Should().Be(written, "a report from those tables would tell the board the trail is intact");

        // Once the governance tables record the chain broken, the report says so to the board: a damaged trail is reported, not hidden.
        (code, output) = await _root.RunAsync("governance");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("audit chain BROKEN");
        (code, output) = await _root.RunAsync("report");
        code.Should().Be(ExitCodes.Ok, output);
        _root.Text(report).Should().Contain("status-broken").And.Contain("BROKEN");
    }

    [Fact]
    public async Task Report_refuses_a_trail_that_fails_its_check_before_any_tables_are_published_saying_none_are_and_naming_the_root()
    {
        await IngestWithCohortAsync();
        var lines = File.ReadAllLines(LogPath);
        lines[3] = lines[3].Replace("police", "p0lice", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);

        var (code, output) = await _root.RunAsync("report");

        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("BROKEN at event 4").And.Contain("no KPI or governance tables are published yet").And.NotContain("record it intact", "nothing records it at all");
        output.Should().Contain($"`datahub audit verify --root {_root.Path}`").And.Contain($"`datahub rollup --root {_root.Path}`");
        _root.Files("published/report").Should().BeEmpty();
    }

    // With a cohort the governance tables could be built: only the audit log's end stands in the way.
    private async Task IngestWithCohortAsync()
    {
        await IngestTwoExtractsAsync();
        var people = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "csc-people");
        (await _root.IngestAsync(people.Partner, people.Feed, "people.csv", people.Content)).Code.Should().Be(ExitCodes.Ok);
    }

    // Runs `datahub governance` on the damaged root: exit 3, the log as it was, and no other file written. Returns the output.
    private async Task<string> GovernanceRefusedAsync()
    {
        var log = File.ReadAllBytes(LogPath);
        static IEnumerable<string> Kept(IEnumerable<string> files) => files.Where(f => !f.StartsWith("logs/", StringComparison.Ordinal) && !f.StartsWith("locks/", StringComparison.Ordinal));
        var before = Kept(_root.Files(string.Empty)).ToList();

        var (code, output) = await _root.RunAsync("governance");

        code.Should().Be(ExitCodes.Configuration, output);
        File.ReadAllBytes(LogPath).Should().Equal(log);
        Kept(_root.Files(string.Empty)).Should().BeEquivalentTo(before, "nothing is written while the audit is broken");
        return output;
    }

    [Fact]
    public async Task Audit_repair_keeps_the_torn_line_aside_is_audited_and_the_hub_writes_again()
    {
        await IngestTwoExtractsAsync();
        var bytes = File.ReadAllBytes(LogPath);
        var lastLineStart = Array.LastIndexOf(bytes, (byte)'\n', bytes.Length - 2) + 1;
        File.WriteAllBytes(LogPath, bytes[..^50]);

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("Repaired").And.Contain("Audit chain intact");
        var kept = _root.Files("audit/torn").Should().ContainSingle().Subject;
        File.ReadAllBytes(Path.Combine(_root.Path, kept)).Should().Equal(bytes[lastLineStart..^50], "the torn bytes are kept, never discarded");

        (await _root.IngestAsync("police", "police-da-incidents", "mar.csv", SyntheticHub.Generate(new SeedOptions { Families = 13 }).Files.First(f => f.Feed == "police-da-incidents").Content)).Code.Should().Be(ExitCodes.Ok);
        (await _root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
        (await _root.RunAsync("audit", "show", "--last", "0")).Output.Should().Contain(AuditKinds.AuditRepaired).And.Contain(kept);
    }

    [Fact]
    public async Task Audit_repair_refuses_damage_inside_the_log_and_changes_nothing()
    {
        await IngestTwoExtractsAsync();
        var lines = File.ReadAllLines(LogPath);
        lines[2] = lines[2].Replace("police", "p0lice", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);
        var before = File.ReadAllBytes(LogPath);
        var (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Rejected);
        output.Should().Contain("inside the log").And.Contain("backup");
        File.ReadAllBytes(LogPath).Should().Equal(before);
    }

    private string AnchorsPath => Path.Combine(_root.Path, "anchors", "audit-anchors.jsonl");

    // Cuts the log back to its first lines, with the head deleted or rewritten to name the new last event (as a tamperer
    // who knows the format would), and optionally the anchors file back to its first lines.
    // Sets a delivery's receipt back to processing, as a tamperer would to pass its cut batch off as work still open;
    // returns the receipt's path and its text as it stood.
    private (string Path, string Completed) ReopenReceipt(string partner, string feed, byte[] content)
    {
        var receipt = Path.Combine(_root.Path, "receipts", partner, feed, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content)) + ".json");
        var completed = File.ReadAllText(receipt);
        File.WriteAllText(receipt, completed.Replace("\"Completed\"", "\"Processing\"", StringComparison.Ordinal));
        return (receipt, completed);
    }

    private void CutLogEnd(int keepEvents, bool rewriteHead, int? keepAnchors = null)
    {
        var kept = File.ReadAllLines(LogPath).Take(keepEvents).ToArray();
        File.WriteAllLines(LogPath, kept);
        File.Delete(HeadPath);
        if (rewriteHead)
        {
            var last = AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(kept[^1]));
            File.WriteAllText(HeadPath, $"{{\"Sequence\":{last.Sequence},\"Hash\":\"{last.Hash}\"}}");
        }

        if (keepAnchors is { } anchors)
        {
            File.WriteAllLines(AnchorsPath, File.ReadAllLines(AnchorsPath).Take(anchors));
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public async Task Verify_reports_the_governance_publication_cut_from_the_log_end(bool rewriteHead, bool cutAnchorsToo)
    {
        // The demo's last command is the rollup, whose last event is governance_published: cutting that one event (and
        // its head, and even its anchor) must not leave a log that verifies.
        (await _root.RunAsync("demo", "--families", "2")).Code.Should().Be(ExitCodes.Ok);
        var events = File.ReadAllLines(LogPath).Length;
        var anchors = File.ReadAllLines(AnchorsPath).Length;
        CutLogEnd(events - 1, rewriteHead, cutAnchorsToo ? anchors - 1 : null);
        if (cutAnchorsToo)
        {
            // Within minutes of its switch the version's event may still be being written: a note, not yet a break.
            var (code, moments) = await _root.RunAsync("audit", "verify");
            code.Should().Be(ExitCodes.Ok, moments);
            moments.Should().Contain("published moments ago");
        }

        _root.Clock.Advance(TimeSpan.FromMinutes(10));
        var output = await VerifyBrokenAsync();
        if (cutAnchorsToo)
        {
            output.Should().Contain("governance version ").And.Contain("does not account for");
        }
        else
        {
            output.Should().Contain("governance_published event").And.Contain("missing from its end");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_reports_a_stored_delivery_cut_from_the_log_end_with_its_anchors(bool rewriteHead)
    {
        // A delivery ingested after the demo, then cut from the log and the anchors alike, leaves its batch manifest and
        // receipt behind (a re-delivery would be called a duplicate): verify names them by batch id and receipt.
        (await _root.RunAsync("demo", "--families", "2")).Code.Should().Be(ExitCodes.Ok);
        var events = File.ReadAllLines(LogPath).Length;
        var anchors = File.ReadAllLines(AnchorsPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", police.Content)).Code.Should().Be(ExitCodes.Ok);
        var batch = Directory.GetFiles(Path.Combine(_root.Path, "secure", "police-da-incidents", "_batches"))
            .Select(Path.GetFileNameWithoutExtension)
            .Single(id => File.ReadAllText(LogPath).Split('\n').Take(events).All(line => !line.Contains(id!, StringComparison.Ordinal)));
        CutLogEnd(events, rewriteHead, anchors);

        var output = await VerifyBrokenAsync();
        output.Should().Contain($"batch {batch} (police-da-incidents)").And.Contain("the receipt of police/police-da-incidents").And.Contain("does not account for");
        output.Should().NotContain("mar.csv");
    }

    [Fact]
    public async Task Verify_reports_the_anchors_file_deleted_as_tampering()
    {
        await IngestTwoExtractsAsync();
        File.Delete(AnchorsPath);
        _root.Clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
        (await VerifyBrokenAsync()).Should().Contain("anchors/audit-anchors.jsonl holds no anchor");
    }

    // The anchors file gone as a deletion leaves it, or as an overwrite leaves it (zero bytes).
    private void RemoveAnchors(bool emptied)
    {
        // Later than the writers' grace for anchors still being recorded.
        _root.Clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
        if (emptied)
        {
            File.WriteAllBytes(AnchorsPath, []);
        }
        else
        {
            File.Delete(AnchorsPath);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Writers_refuse_with_exit_3_while_the_anchors_file_is_gone_and_leave_the_file_in_landing(bool emptied)
    {
        await IngestTwoExtractsAsync();
        RemoveAnchors(emptied);
        var log = File.ReadAllBytes(LogPath);
        var before = _root.Files(string.Empty).Where(f => !f.StartsWith("logs/", StringComparison.Ordinal) && !f.StartsWith("locks/", StringComparison.Ordinal)).ToList();

        var police = SyntheticHub.Generate(new SeedOptions { Families = 13 }).Files.First(f => f.Feed == "police-da-incidents");
        var (code, output) = await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", police.Content);
        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain("anchors are gone").And.Contain("backup").And.Contain("datahub audit repair --accept-loss")
            .And.NotContain("made before the hub kept anchors", "no innocent explanation for anchors gone").And.NotContain("   at ", "no stack trace").And.NotContain("mar.csv");
        _root.Files(string.Empty).Where(f => !f.StartsWith("logs/", StringComparison.Ordinal) && !f.StartsWith("locks/", StringComparison.Ordinal))
            .Should().BeEquivalentTo(before, "nothing is ingested, and no fresh anchors file is started");
        File.ReadAllBytes(LogPath).Should().Equal(log);

        // A file dropped into landing is not handled, and stays there for after the repair.
        var landing = Directory.CreateDirectory(Path.Combine(_root.Path, "landing", police.Partner, police.Feed)).FullName;
        await File.WriteAllBytesAsync(Path.Combine(landing, "apr.csv"), police.Content);
        using (var hub = EmbeddedHub.Open(_root.Path, null, _root.Clock))
        {
            var runner = new EmbeddedRunner(hub.Context, [], TimeSpan.Zero, TimeSpan.Zero, _ => { });
            await runner.PollOnceAsync(default);
            await runner.PollOnceAsync(default);
        }

        File.Exists(Path.Combine(landing, "apr.csv")).Should().BeTrue("the file stays in landing");
        File.ReadAllBytes(LogPath).Should().Equal(log, "nothing was audited");
        File.Exists(AnchorsPath).Should().Be(emptied, "no fresh anchors file is started");
    }

    [Fact]
    public async Task Audit_repair_records_the_anchors_lost_only_with_accept_loss_then_the_hub_writes_and_verify_notes_the_loss()
    {
        await IngestTwoExtractsAsync();
        var head = File.ReadAllLines(LogPath).Length;
        RemoveAnchors(emptied: false);
        (await VerifyBrokenAsync()).Should().Contain("holds no anchor").And.Contain("datahub audit repair --accept-loss");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("--accept-loss");
        File.ReadAllLines(LogPath).Should().HaveCount(head, "nothing is written without --accept-loss");

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain($"Repaired as event {head + 1}").And.Contain("Audit chain intact");
        (await _root.RunAsync("audit", "show", "--last", "1")).Output.Should().Contain(AuditKinds.AuditRepaired).And.Contain("audit.anchors_lost").And.Contain($"head was event {head}");
        File.Exists(AnchorsPath).Should().BeTrue("the repair is anchored afresh");

        var police = SyntheticHub.Generate(new SeedOptions { Families = 13 }).Files.First(f => f.Feed == "police-da-incidents");
        (code, output) = await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", police.Content);
        code.Should().Be(ExitCodes.Ok, output);
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain($"note: the anchors of events 1–{head} lost, recorded by event {head + 1}").And.NotContain("have no anchor");
    }

    [Fact]
    public async Task Audit_repair_of_a_torn_line_while_the_anchors_are_gone_needs_accept_loss_and_records_both_losses()
    {
        await IngestTwoExtractsAsync();
        var bytes = File.ReadAllBytes(LogPath);
        var events = File.ReadAllLines(LogPath).Length;
        File.WriteAllBytes(LogPath, bytes[..^50]);
        RemoveAnchors(emptied: false);
        (await VerifyBrokenAsync()).Should().Contain("torn").And.Contain("holds no anchor").And.Contain($"datahub audit repair --accept-loss --root");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("anchors are gone").And.Contain("--accept-loss");
        File.ReadAllBytes(LogPath).Should().Equal(bytes[..^50], "nothing is repaired without --accept-loss");
        File.Exists(AnchorsPath).Should().BeFalse("no fresh anchors are started while their loss is unrecorded");

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        var shown = (await _root.RunAsync("audit", "show", "--last", "2")).Output;
        shown.Should().Contain("audit.torn_line").And.Contain("audit.anchors_lost").And.Contain($"head was event {events + 1}", "the anchors' loss is recorded after the torn line's");
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain($"note: the anchors of events 1–{events + 1} lost, recorded by event {events + 2}").And.Contain("torn");
    }

    [Fact]
    public async Task Audit_repair_of_events_missing_from_the_end_while_the_anchors_are_gone_records_both_losses()
    {
        await IngestTwoExtractsAsync();
        var lines = File.ReadAllLines(LogPath);
        File.WriteAllLines(LogPath, lines[..^2]);
        RemoveAnchors(emptied: false);
        (await VerifyBrokenAsync()).Should().Contain("missing from its end").And.Contain("holds no anchor");

        var (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        var shown = (await _root.RunAsync("audit", "show", "--last", "2")).Output;
        shown.Should().Contain("audit.loss_accepted").And.Contain("audit.anchors_lost").And.Contain($"head was event {lines.Length + 1}", "the anchors' loss is recorded after the events'");
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain($"note: the anchors of events 1–{lines.Length + 1} lost, recorded by event {lines.Length + 2}").And.Contain("lost from the log's end");
    }

    [Fact]
    public async Task Audit_repair_records_a_clean_cut_with_the_anchors_gone_as_a_loss_with_the_count_of_records_it_left()
    {
        // The same cut as behind a torn line, without the fragment: the records prove events after the last one existed,
        // so --accept-loss records at least one event lost and their count, as it does behind a torn line.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", [.. police.Content, .. "\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        CutLogEnd(events, rewriteHead: true);
        RemoveAnchors(emptied: false);
        var log = File.ReadAllBytes(LogPath);
        var verified = await VerifyBrokenAsync();
        verified.Should().Contain("holds no anchor").And.Contain("the hub holds 2 records the log does not account for").And.Contain("datahub audit repair --accept-loss").And.NotContain("mar.csv");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("anchors are gone").And.Contain("The hub holds 2 records the log does not account for").And.NotContain("inside the log");
        File.ReadAllBytes(LogPath).Should().Equal(log, "nothing is repaired without --accept-loss");
        File.Exists(AnchorsPath).Should().BeFalse();

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        var shown = (await _root.RunAsync("audit", "show", "--last", "2")).Output;
        shown.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=2").And.Contain("audit.anchors_lost").And.NotContain("mar.csv");
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain($"event {events + 1} lost at the log's end, recorded by event {events + 2}").And.Contain($"events after event {events + 1} may have been lost too");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Audit_repair_of_a_torn_line_left_after_a_cut_with_the_anchors_trimmed_to_match_needs_accept_loss_and_records_the_count(bool toFirstAnchor)
    {
        // The log's end cut, the anchors file trimmed to the kept events (or to its first line) so none is gone, and seven
        // bytes of an event appended: the cut delivery's batch and receipt must not be excused as one torn event's.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var anchors = File.ReadAllLines(AnchorsPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", [.. police.Content, .. "\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        CutLogEnd(events, rewriteHead: true, keepAnchors: toFirstAnchor ? 1 : anchors);
        File.AppendAllText(LogPath, "{\"seq\":");
        _root.Clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
        var log = File.ReadAllBytes(LogPath);
        var verified = await VerifyBrokenAsync();
        verified.Should().Contain($"after event {events}, is torn").And.Contain("the hub holds 2 records the log does not account for").And.Contain("datahub audit repair --accept-loss").And.NotContain("mar.csv");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("The hub holds 2 records the log does not account for").And.Contain("--accept-loss");
        File.ReadAllBytes(LogPath).Should().Equal(log, "a cut is not repaired as a torn line");

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        var shown = (await _root.RunAsync("audit", "show", "--last", "1")).Output;
        shown.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=2").And.NotContain("audit.torn_line");
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
    }

    [Fact]
    public async Task Audit_repair_counts_only_the_records_made_since_the_log_s_last_event_and_verify_goes_on_reporting_the_rest()
    {
        // A batch dated before the last event the log keeps is not explained by events cut from its end (a forged
        // manifest, or an item a restore from backup left): the repair neither counts it nor excuses it.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var batches = Path.Combine(_root.Path, "secure", "police-da-incidents", "_batches");
        var before = Directory.GetFiles(batches).ToHashSet();
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", [.. police.Content, .. "\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        var manifest = Directory.GetFiles(batches).Single(f => !before.Contains(f));
        var batch = Path.GetFileNameWithoutExtension(manifest);
        var original = File.ReadAllText(manifest);
        File.WriteAllText(manifest, Regex.Replace(original, "(\"committed_at\"\\s*:\\s*\")[^\"]*\"", "${1}2020-01-01T00:00:00+00:00\""));
        File.ReadAllText(manifest).Should().NotBe(original, "the batch is dated back");
        CutLogEnd(events, rewriteHead: true);
        File.AppendAllText(LogPath, "{\"seq\":");
        RemoveAnchors(emptied: false);
        (await VerifyBrokenAsync()).Should().Contain("the hub holds 2 records the log does not account for").And.Contain($"one of those records was made before event {events}, the last the log holds")
            .And.Contain("a repair does not count it");

        var (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Rejected, output);
        var shown = (await _root.RunAsync("audit", "show", "--last", "2")).Output;
        shown.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=1", "only the receipt, made since the last event, is counted");
        output = await VerifyBrokenAsync();
        output.Should().Contain($"batch {batch} (police-da-incidents)").And.Contain("the hub holds a record the log does not account for");
    }

    [Fact]
    public async Task A_torn_line_after_a_restore_from_backup_is_repaired_as_torn_while_the_records_the_restore_left_stay_reported()
    {
        // The log and anchors restored from a backup taken before a delivery, the hub writing again, then a crash tearing
        // a line: the delivery's records predate the log's last event, so they are no part of the torn line's loss.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var anchors = File.ReadAllLines(AnchorsPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", [.. police.Content, .. "\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        CutLogEnd(events, rewriteHead: true, keepAnchors: anchors);
        _root.Clock.Advance(TimeSpan.FromHours(1));
        (await _root.IngestAsync(police.Partner, police.Feed, "apr.csv", [.. police.Content, .. "\n\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        File.AppendAllText(LogPath, "{\"seq\":");
        (await VerifyBrokenAsync()).Should().Contain("is torn").And.Contain("the hub holds 2 records the log does not account for").And.Contain("2 of those records were made before event");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        (await _root.RunAsync("audit", "show", "--last", "1")).Output.Should().Contain("audit.torn_line").And.NotContain(AuditRepair.RecordsUnaccounted);
        (await VerifyBrokenAsync()).Should().Contain("the hub holds 2 records the log does not account for").And.NotContain("is torn");
    }

    // Keeps the anchors of the events up to and including sequence, as a tamperer trimming them to a cut log would.
    private void TrimAnchorsTo(long sequence) =>
        File.WriteAllLines(AnchorsPath, File.ReadAllLines(AnchorsPath).Where(line =>
            long.Parse(Regex.Match(line, "\"seq\"\\s*:\\s*(\\d+)", RegexOptions.IgnoreCase).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) <= sequence));

    [Fact]
    public async Task Audit_repair_of_a_torn_line_after_publications_just_switched_needs_accept_loss_and_records_them()
    {
        // The demo's last two events (kpi_published, governance_published) cut with their head and anchors, both pointers
        // dated now and seven bytes of an event appended: versions switched moments ago are not excused as one torn event's.
        (await _root.RunAsync("demo", "--families", "2")).Code.Should().Be(ExitCodes.Ok);
        var events = File.ReadAllLines(LogPath).Length;
        CutLogEnd(events - 2, rewriteHead: true);
        TrimAnchorsTo(events - 2);
        foreach (var pointer in new[] { "kpi", "governance" }.Select(p => Path.Combine(_root.Path, "published", p, "current.json")))
        {
            var original = File.ReadAllText(pointer);
            File.WriteAllText(pointer, Regex.Replace(original, "(\"switched\"\\s*:\\s*\")[^\"]*\"", $"${{1}}{_root.Clock.GetUtcNow():O}\"", RegexOptions.IgnoreCase));
        }

        File.AppendAllText(LogPath, "{\"seq\":");
        var log = File.ReadAllBytes(LogPath);
        (await VerifyBrokenAsync()).Should().Contain($"after event {events - 2}, is torn").And.Contain("2 records with no event yet").And.Contain("datahub audit repair --accept-loss");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("--accept-loss");
        File.ReadAllBytes(LogPath).Should().Equal(log, "publications cut behind a torn line are not repaired as a torn line");

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        (await _root.RunAsync("audit", "show", "--last", "1")).Output.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=2").And.NotContain("audit.torn_line");
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
    }

    [Fact]
    public async Task Audit_repair_of_a_torn_line_after_a_delivery_whose_receipt_is_open_needs_accept_loss_and_the_receipt_closed_later_is_not_excused_by_a_torn_line()
    {
        // A stored delivery's events cut after its received event, its receipt set back to processing and seven bytes of
        // an event appended: its batch is not excused as one torn event's, and closing the receipt again changes nothing.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        byte[] content = [.. police.Content, .. "\n\n"u8];
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", content)).Code.Should().Be(ExitCodes.Ok);
        var received = File.ReadAllLines(LogPath).Select((line, i) => (line, i)).Skip(events).First(p => p.line.Contains("\"received\"", StringComparison.Ordinal)).i + 1;
        CutLogEnd(received, rewriteHead: true);
        TrimAnchorsTo(received);
        var (receipt, completed) = ReopenReceipt(police.Partner, police.Feed, content);
        File.ReadAllText(receipt).Should().NotBe(completed, "the receipt is open again");
        File.AppendAllText(LogPath, "{\"seq\":");
        var log = File.ReadAllBytes(LogPath);
        (await VerifyBrokenAsync()).Should().Contain($"after event {received}, is torn").And.Contain("with no event yet").And.Contain("datahub audit repair --accept-loss").And.NotContain("mar.csv");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        File.ReadAllBytes(LogPath).Should().Equal(log, "a delivery cut behind a torn line is not repaired as a torn line");

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        (await _root.RunAsync("audit", "show", "--last", "1")).Output.Should().Contain("audit.loss_accepted").And.MatchRegex($"{AuditRepair.RecordsUnaccounted}=[1-9]");
        File.WriteAllText(receipt, completed);
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
    }

    [Fact]
    public async Task A_delivery_cut_back_to_a_torn_line_repair_made_the_same_moment_is_not_excused_by_it()
    {
        // A torn line repaired as audit.torn_line counted no record, so none may hide in its time: a delivery ingested at
        // the repair's moment and then cut from the log's end, its anchors trimmed to match, is reported.
        await IngestTwoExtractsAsync();
        File.AppendAllText(LogPath, "{\"seq\":");
        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Ok, output);
        (await _root.RunAsync("audit", "show", "--last", "1")).Output.Should().Contain("audit.torn_line");
        var events = File.ReadAllLines(LogPath).Length;
        var anchors = File.ReadAllLines(AnchorsPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", [.. police.Content, .. "\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        CutLogEnd(events, rewriteHead: true, keepAnchors: anchors);

        (await VerifyBrokenAsync()).Should().Contain("does not account for").And.NotContain("mar.csv");
    }

    [Fact]
    public async Task A_clean_cut_with_the_anchors_gone_counts_a_delivery_whose_receipt_is_open_among_the_records_lost()
    {
        // Two deliveries cut from the log's end, the anchors deleted and the first delivery's receipt set back to
        // processing: the loss the repair records would excuse that delivery too, so it is counted with the other.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        byte[] content = [.. police.Content, .. "\n\n"u8];
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", content)).Code.Should().Be(ExitCodes.Ok);
        (await _root.IngestAsync(police.Partner, police.Feed, "apr.csv", [.. police.Content, .. "\n\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        CutLogEnd(events, rewriteHead: true);
        ReopenReceipt(police.Partner, police.Feed, content);
        RemoveAnchors(emptied: false);
        (await VerifyBrokenAsync()).Should().Contain("still open or published moments ago").And.NotContain("mar.csv").And.NotContain("apr.csv");

        var (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        (await _root.RunAsync("audit", "show", "--last", "2")).Output.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=4");
    }

    [Fact]
    public async Task A_clean_cut_of_one_delivery_set_back_to_open_with_the_anchors_gone_is_recorded_as_a_loss_with_its_count()
    {
        // That delivery's events after its receipt are cut and the receipt set back to processing: its received event still
        // accounts for the receipt, so nothing else is missing, and the cut must still be recorded as a loss the board
        // sees, not as the anchors' loss alone.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        byte[] content = [.. police.Content, .. "\n\n"u8];
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", content)).Code.Should().Be(ExitCodes.Ok);
        File.ReadAllLines(LogPath)[events].Should().Contain("\"received\"");
        CutLogEnd(events + 1, rewriteHead: true);
        ReopenReceipt(police.Partner, police.Feed, content);
        RemoveAnchors(emptied: false);
        (await VerifyBrokenAsync()).Should().Contain("still open or published moments ago").And.NotContain("mar.csv");

        var (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        (await _root.RunAsync("audit", "show", "--last", "2")).Output.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=").And.Contain("audit.anchors_lost").And.NotContain("mar.csv");
    }

    [Fact]
    public async Task Audit_repair_refuses_a_torn_line_with_the_anchors_gone_and_a_batch_manifest_that_cannot_be_read()
    {
        await IngestTwoExtractsAsync();
        var bytes = File.ReadAllBytes(LogPath);
        File.WriteAllBytes(LogPath, bytes[..^50]);
        RemoveAnchors(emptied: false);
        var manifest = Directory.GetFiles(Path.Combine(_root.Path, "secure", "police-da-incidents", "_batches"))[0];
        File.WriteAllText(manifest, "{\"BatchId\":");
        var verified = await VerifyBrokenAsync();
        verified.Should().Contain("torn").And.Contain("holds no anchor");

        var (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("backup");
        File.ReadAllBytes(LogPath).Should().Equal(bytes[..^50], "a damaged record is no loss at the log's end: nothing is written");
        File.Exists(AnchorsPath).Should().BeFalse();
        Directory.Exists(Path.Combine(_root.Path, "audit", "torn")).Should().BeFalse();
    }

    [Fact]
    public async Task Verify_reports_records_cut_behind_a_torn_last_line_while_the_anchors_are_gone_and_the_repair_records_their_count()
    {
        // A delivery cut from the log's end, the anchors deleted, and the first bytes of the cut's first event left as a
        // torn line: the cut must show, and be recorded, as more than one torn event.
        await IngestTwoExtractsAsync();
        var events = File.ReadAllLines(LogPath).Length;
        var police = SyntheticHub.Generate(new SeedOptions { Families = 12 }).Files.First(f => f.Feed == "police-da-incidents");
        (await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", [.. police.Content, .. "\n\n"u8])).Code.Should().Be(ExitCodes.Ok);
        var cut = File.ReadAllLines(LogPath)[events];
        CutLogEnd(events, rewriteHead: true);
        File.AppendAllText(LogPath, cut[..(cut.Length / 2)]);
        RemoveAnchors(emptied: false);
        var log = File.ReadAllBytes(LogPath);
        var verified = await VerifyBrokenAsync();
        verified.Should().Contain($"after event {events}, is torn").And.Contain("holds no anchor").And.Contain("the hub holds 2 records the log does not account for")
            .And.Contain("datahub audit repair --accept-loss").And.NotContain("mar.csv");

        var (code, output) = await _root.RunAsync("audit", "repair");
        code.Should().Be(ExitCodes.Rejected, output);
        output.Should().Contain("The hub holds 2 records the log does not account for").And.Contain("--accept-loss");
        File.ReadAllBytes(LogPath).Should().Equal(log, "nothing is repaired without --accept-loss");

        (code, output) = await _root.RunAsync("audit", "repair", "--accept-loss");
        code.Should().Be(ExitCodes.Ok, output);
        var shown = (await _root.RunAsync("audit", "show", "--last", "2")).Output;
        shown.Should().Contain("audit.loss_accepted").And.Contain($"{AuditRepair.RecordsUnaccounted}=2").And.Contain("2 records the log did not account for")
            .And.NotContain("audit.torn_line", "the cut is not passed off as one torn event").And.Contain("audit.anchors_lost").And.NotContain("mar.csv");
        (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain($"event {events + 1} lost at the log's end, recorded by event {events + 2}").And.Contain("2 records the log did not account for")
            .And.Contain($"events after event {events + 1} may have been lost too");
    }

    [Theory]
    [InlineData("{\"Seq\":0,\"Hash\":\"0\"}")]
    [InlineData("{\"Seq\":0,\"Hash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}")]
    [InlineData("{\"Seq\":3,\"Hash\":\"not a seal\"}")]
    [InlineData("{\"Seq\":-1,\"Hash\":\"ABCDEF0000000000000000000000000000000000000000000000000000000000\"}")]
    public async Task A_made_up_anchors_line_does_not_stand_for_the_anchors_gone(string madeUp)
    {
        await IngestTwoExtractsAsync();
        File.WriteAllText(AnchorsPath, madeUp + "\n");
        _root.Clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
        var log = File.ReadAllBytes(LogPath);
        var police = SyntheticHub.Generate(new SeedOptions { Families = 13 }).Files.First(f => f.Feed == "police-da-incidents");
        var (code, output) = await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", police.Content);
        code.Should().Be(ExitCodes.Configuration, output);
        output.Should().Contain("anchors are gone");
        File.ReadAllBytes(LogPath).Should().Equal(log);
        (await VerifyBrokenAsync()).Should().Contain("no anchor that can be read");
    }

    [Fact]
    public async Task Writers_go_on_when_the_anchors_file_holds_an_anchor_even_after_a_torn_line()
    {
        await IngestTwoExtractsAsync();
        File.AppendAllText(AnchorsPath, "{\"Seq\":9,\"Ha");
        var police = SyntheticHub.Generate(new SeedOptions { Families = 13 }).Files.First(f => f.Feed == "police-da-incidents");
        var (code, output) = await _root.IngestAsync(police.Partner, police.Feed, "mar.csv", police.Content);
        code.Should().Be(ExitCodes.Ok, output);
        (await _root.RunAsync("audit", "verify")).Code.Should().Be(ExitCodes.Ok);
    }

    [Fact]
    public async Task Verify_notes_a_torn_line_in_the_anchors_file()
    {
        await IngestTwoExtractsAsync();
        File.AppendAllText(AnchorsPath, "{\"Seq\":9,\"Ha");
        var (code, output) = await _root.RunAsync("audit", "verify");
        code.Should().Be(ExitCodes.Ok, output);
        output.Should().Contain("note: anchors/audit-anchors.jsonl line").And.Contain("cannot be read as an anchor");
    }
}
