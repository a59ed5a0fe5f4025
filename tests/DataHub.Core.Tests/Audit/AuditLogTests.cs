using System.Text;
using DataHub.Core.Audit;
using DataHub.Storage.Local;
using DataHub.Testing;

namespace DataHub.Core.Tests.Audit;

/// <summary>The local audit log: a chain sealed under the audit key, checked against its head and the anchors outside it.</summary>
public sealed class AuditLogTests : IDisposable
{
    private readonly TempFolder _root = new("audit");
    private readonly ManualClock _clock = ManualClock.On(2026, 11, 22);

    public AuditLogTests() => LocalAuditKeyProvider.Create(_root.Path);

    public void Dispose() => _root.Dispose();

    private LocalAuditLog Log() => new(_root.Path, _clock);

    private async Task<LocalAuditLog> LogWithEventsAsync(int count, string kind = AuditKinds.Received)
    {
        var log = Log();
        for (var i = 0; i < count; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            await log.AppendAsync(new AuditEntry(kind, "police", "police-da-incidents", "DSA-1", new string('a', 64), $"landing/police/police-da-incidents/f{i}.csv", Counts: new Dictionary<string, long> { ["bytes"] = i }), default);
        }

        return log;
    }

    private async Task<AuditVerification> VerifyAsync(LocalAuditLog log) =>
        await AuditVerifier.VerifyAsync(log, new LocalAuditKeyProvider(_root.Path), await log.Anchors.ReadAsync(default).ToListAsync(), default);

    private static string[] Lines(LocalAuditLog log) => File.ReadAllLines(log.LogPath);

    private static void Write(LocalAuditLog log, IEnumerable<string> lines) => File.WriteAllText(log.LogPath, string.Concat(lines.Select(l => l + "\n")));

    private static string Line(AuditEvent e) => Encoding.UTF8.GetString(AuditChain.ToJsonLine(e));

    private string HeadPath => Path.Combine(_root.Path, "audit", "audit-head.json");

    [Fact]
    public async Task Each_event_is_sealed_under_the_audit_key_and_chained_to_the_one_before()
    {
        var log = await LogWithEventsAsync(3);
        var events = await log.ReadAsync(default).ToListAsync();
        events.Select(e => e.Sequence).Should().Equal(1, 2, 3);
        events.Should().OnlyContain(e => e.KeyVersion == "v1");
        events[0].PreviousHash.Should().Be(AuditChain.Genesis);
        events[2].PreviousHash.Should().Be(events[1].Hash);
        var key = await new LocalAuditKeyProvider(_root.Path).GetCurrentAsync(default);
        AuditChain.HasValidSeal(events[1], key).Should().BeTrue();
        AuditChain.HasValidSeal(events[1], new AuditKey("v1", new byte[32])).Should().BeFalse("the seal is keyed: another key gives another MAC");
        events[1].Hash.Should().NotBe(AuditChain.ComputeHash(events[1]), "a keyed seal is not the plain SHA-256 anyone could recompute");
        (await VerifyAsync(log)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task The_writability_check_refuses_as_the_append_would_when_the_current_audit_key_cannot_be_had()
    {
        await LogWithEventsAsync(2);
        var log = new LocalAuditLog(_root.Path, _clock, new NoCurrentKey(new LocalAuditKeyProvider(_root.Path)), new LocalAuditAnchors(_root.Path));

        var check = () => log.CheckWritableAsync(default);
        var append = () => log.AppendAsync(new AuditEntry(AuditKinds.Received, Detail: "while the key store is down"), default);

        await check.Should().ThrowAsync<Core.Pseudonymisation.KeyUnavailableException>("a run must not write and switch, then fail at its first event");
        await append.Should().ThrowAsync<Core.Pseudonymisation.KeyUnavailableException>();
    }

    /// <summary>A key store that can give the versions events were sealed under but not the current key (Key Vault failing part-way).</summary>
    private sealed class NoCurrentKey(IAuditKeyProvider inner) : IAuditKeyProvider
    {
        public Task<AuditKey> GetCurrentAsync(CancellationToken cancellationToken) => throw new Core.Pseudonymisation.KeyUnavailableException("The audit key cannot be read.");

        public Task<AuditKey> GetVersionAsync(string version, CancellationToken cancellationToken) => inner.GetVersionAsync(version, cancellationToken);
    }

    [Fact]
    public async Task Verify_detects_an_edited_event()
    {
        var log = await LogWithEventsAsync(4);
        var lines = Lines(log);
        lines[1] = lines[1].Replace("f1.csv", "f9.csv", StringComparison.Ordinal);
        Write(log, lines);
        var result = await VerifyAsync(log);
        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(2);
    }

    [Fact]
    public async Task Verify_detects_a_deleted_event_and_reordered_events()
    {
        var log = await LogWithEventsAsync(4);
        var lines = Lines(log);
        Write(log, lines.Where((_, i) => i != 2));
        (await VerifyAsync(log)).Intact.Should().BeFalse();
        (lines[1], lines[2]) = (lines[2], lines[1]);
        Write(log, lines);
        (await VerifyAsync(log)).Intact.Should().BeFalse();
    }

    [Fact]
    public async Task Verify_detects_an_event_removed_and_the_rest_rechained_without_the_key()
    {
        var log = await LogWithEventsAsync(5);
        var events = await log.ReadAsync(default).ToListAsync();

        // Without the audit key the forger can only re-chain as plain SHA-256 (the legacy form) or under a key of their own.
        foreach (var forge in new Func<AuditEntry, AuditEvent?, DateTimeOffset, AuditEvent>[]
        {
            (entry, previous, time) => UnkeyedAudit.Seal(entry, previous, time),
            (entry, previous, time) => AuditChain.Seal(entry, previous, time, new AuditKey("v1", Enumerable.Repeat((byte)7, 32).ToArray())),
        })
        {
            var kept = events.Take(2).ToList();
            foreach (var e in events.Skip(3))
            {
                kept.Add(forge(e.Entry, kept[^1], e.Time));
            }

            Write(log, kept.Select(Line));
            File.WriteAllText(HeadPath, $"{{\"Sequence\":{kept[^1].Sequence},\"Hash\":\"{kept[^1].Hash}\"}}");
            var result = await VerifyAsync(log);
            result.Intact.Should().BeFalse();
            result.BrokenAt.Should().Be(3);
            result.Message.Should().Contain("without the audit key");
        }
    }

    [Fact]
    public void A_received_event_written_before_label_key_versions_were_recorded_still_reads_and_verifies()
    {
        // A received event exactly as hubs wrote it before the label's key version was recorded, sealed under an audit key.
        var key = new AuditKey("v1", Enumerable.Repeat((byte)3, 32).ToArray());
        var unsealed = "{\"seq\":1,\"time\":\"2026-11-22T09:00:00.0000000Z\",\"kind\":\"received\",\"partner\":\"police\",\"feed\":\"police-da-incidents\",\"agreement\":\"DSA-1\","
            + $"\"file_sha256\":\"{new string('a', 64)}\",\"path\":\"landing/police/police-da-incidents/f-0123abcd.csv\",\"detail\":\"Received f-0123abcd.csv.\",\"counts\":{{\"bytes\":10}},"
            + $"\"duration_ms\":4,\"prev\":\"{AuditChain.Genesis}\",\"key\":\"v1\"}}";
        var line = unsealed[..^1] + $",\"mac\":\"{key.Seal(Encoding.UTF8.GetBytes(unsealed))}\"}}";

        var read = AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(line));

        read.Entry.LabelKeyVersion.Should().BeNull("the event does not say");
        AuditChain.HasValidSeal(read, key).Should().BeTrue("an event without the field keeps the form it was sealed in");
        Encoding.UTF8.GetString(AuditChain.ToJsonLine(read)).Should().Be(line);
    }

    [Fact]
    public async Task The_label_key_version_of_a_received_event_is_read_back_and_sealed_with_the_event()
    {
        var log = Log();
        var entry = new AuditEntry(AuditKinds.Received, "police", "police-da-incidents", "DSA-1", new string('a', 64), "landing/police/police-da-incidents/f-0123abcd.csv", LabelKeyVersion: "5d1f6c2a9e8b4f7a8c3d2e1f0a9b8c7d");
        await log.AppendAsync(entry, default);
        await log.AppendAsync(entry with { Kind = AuditKinds.ProtocolDecision, LabelKeyVersion = null }, default);

        (await log.ReadAsync(default).ToListAsync()).Select(e => e.Entry.LabelKeyVersion).Should().Equal("5d1f6c2a9e8b4f7a8c3d2e1f0a9b8c7d", null);
        Lines(log)[1].Should().NotContain("label_key_version", "an event that carries no label does not name a version");
        (await VerifyAsync(log)).Intact.Should().BeTrue();

        var lines = Lines(log);
        lines[0] = lines[0].Replace("5d1f6c2a9e8b4f7a8c3d2e1f0a9b8c7d", "a04b2e7c61d94f3e9b5a8c7d6e5f4a3b", StringComparison.Ordinal);
        Write(log, lines);
        var edited = await VerifyAsync(log);
        edited.Intact.Should().BeFalse("the version is sealed with the rest of the event");
        edited.BrokenAt.Should().Be(1);
    }

    [Fact]
    public async Task Verify_detects_a_property_added_to_an_event()
    {
        var log = await LogWithEventsAsync(3);
        var lines = Lines(log);
        lines[1] = lines[1].Replace("\"kind\":", "\"note\":\"harmless\",\"kind\":", StringComparison.Ordinal);
        Write(log, lines);
        var result = await VerifyAsync(log);
        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(2);
        result.Message.Should().Contain("property was added");
    }

    [Theory]
    [InlineData("time")]
    [InlineData("seq")]
    public async Task Verify_reports_a_value_that_does_not_parse_by_its_position_never_quoting_it(string property)
    {
        // A line can hold a partner's path: what a parser says of a value it could not read quotes it.
        const string Quoted = "landing/police/secret-name.csv";
        var log = await LogWithEventsAsync(3);
        var lines = Lines(log);
        lines[1] = System.Text.RegularExpressions.Regex.Replace(lines[1], $"\"{property}\":(\"[^\"]*\"|\\d+)", $"\"{property}\":\"{Quoted}\"");
        Write(log, lines);

        var result = await VerifyAsync(log);

        result.Intact.Should().BeFalse();
        result.BrokenAt.Should().Be(2);
        result.Message.Should().Contain("after event 1").And.NotContain(Quoted);
        var read = () => log.ReadAsync(default).ToListAsync().AsTask();
        (await read.Should().ThrowAsync<AuditLineException>()).Which.ToString().Should().NotContain(Quoted, "no exception in the chain of causes, which a log prints whole, quotes the line");
    }

    [Fact]
    public async Task Reading_the_readable_events_passes_over_damaged_lines_naming_the_event_each_follows_and_keeps_the_rest()
    {
        var log = await LogWithEventsAsync(4);
        var lines = Lines(log);
        lines[1] = lines[1].Replace("\"kind\":", "\"note\":\"harmless\",\"kind\":", StringComparison.Ordinal);
        lines[2] = "{\"seq\":3,";
        Write(log, lines);
        var unreadable = new List<long>();

        var events = await log.ReadReadableAsync(unreadable.Add, default).ToListAsync();

        events.Select(e => e.Sequence).Should().Equal(1, 4);
        unreadable.Should().Equal([1L, 1L], "each is told as the verifier tells it: after the last event read, not by line number");
    }

    [Fact]
    public async Task Verify_detects_the_tail_cut_off_with_the_head_through_the_anchors_outside_the_log()
    {
        var log = await LogWithEventsAsync(4, AuditKinds.Archived);
        Write(log, Lines(log).Take(2));
        File.Delete(HeadPath);
        var result = await VerifyAsync(log);
        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("events 3–4 are missing");
        result.EndLoss!.LostThrough.Should().Be(4);
        result.EndLoss.OnlyTorn.Should().BeFalse();
    }

    [Fact]
    public async Task Verify_detects_a_deleted_log_and_head_through_the_anchors()
    {
        var log = await LogWithEventsAsync(2, AuditKinds.Archived);
        File.Delete(log.LogPath);
        File.Delete(HeadPath);
        var result = await VerifyAsync(log);
        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("deleted or emptied");
    }

    [Fact]
    public async Task Appends_refuse_a_log_cut_short_and_a_deleted_log_instead_of_starting_a_new_chain()
    {
        var log = await LogWithEventsAsync(3, AuditKinds.Archived);
        var lines = Lines(log);
        Write(log, lines.Take(2));
        var cut = () => log.AppendAsync(new AuditEntry(AuditKinds.Received), default);
        (await cut.Should().ThrowAsync<AuditChainBrokenException>()).WithMessage("*removed from its end*");

        File.Delete(log.LogPath);
        File.Delete(HeadPath);
        (await cut.Should().ThrowAsync<AuditChainBrokenException>()).WithMessage("*deleted or emptied*");
        File.Exists(log.LogPath).Should().BeFalse("nothing was written");
    }

    [Fact]
    public async Task A_torn_last_line_is_reported_and_appends_refuse_until_it_is_repaired()
    {
        var log = await LogWithEventsAsync(3);
        var bytes = File.ReadAllBytes(log.LogPath);
        File.WriteAllBytes(log.LogPath, bytes[..^40]);

        var result = await VerifyAsync(log);
        result.Intact.Should().BeFalse();
        result.Message.Should().Contain("torn");
        result.EndLoss!.OnlyTorn.Should().BeTrue();
        var append = () => log.AppendAsync(new AuditEntry(AuditKinds.Received), default);
        (await append.Should().ThrowAsync<AuditChainBrokenException>()).WithMessage("*torn*audit repair*");
        File.ReadAllBytes(log.LogPath).Should().Equal(bytes[..^40], "a refused append writes nothing");
    }

    [Fact]
    public async Task Repair_refuses_to_seal_a_torn_line_without_recording_the_anchors_gone_meanwhile()
    {
        // A verification made while the anchors were there, and the anchors deleted before the repair runs.
        var log = await LogWithEventsAsync(3, AuditKinds.Archived);
        var bytes = File.ReadAllBytes(log.LogPath);
        File.WriteAllBytes(log.LogPath, bytes[..^40]);
        var loss = (await Trail(log).VerifyAsync(default)).EndLoss!;
        loss.OnlyTorn.Should().BeTrue();
        loss.AnchorsLostFrom.Should().BeNull();
        File.Delete(AnchorsPath);
        _clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));

        var repair = () => log.RepairAsync(loss, default);
        (await repair.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*anchors*gone*--accept-loss*");
        File.ReadAllBytes(log.LogPath).Should().Equal(bytes[..^40], "nothing is sealed");
        File.Exists(AnchorsPath).Should().BeFalse("no fresh anchors are started");

        var verified = await Trail(log).VerifyAsync(default);
        verified.EndLoss!.AnchorsLostFrom.Should().Be(LocalAuditAnchors.RelativePath);
        AuditRepair.Refusal(verified, acceptLoss: false).Should().Contain("anchors are gone").And.Contain("torn");
        var repaired = await log.RepairAsync(verified.EndLoss!, default);
        (await log.ReadAsync(default).ToListAsync()).Select(e => e.Entry.Rule).TakeLast(2).Should().Equal("audit.torn_line", AuditRepair.AnchorsLostRule);
        repaired.Entry.Counts![AuditRepair.AnchorsLostThrough].Should().Be(4);
        (await Trail(log).VerifyAsync(default)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Repair_keeps_the_torn_bytes_aside_records_the_loss_and_the_chain_continues()
    {
        var log = await LogWithEventsAsync(3);
        var bytes = File.ReadAllBytes(log.LogPath);
        var secondEnds = Array.IndexOf(bytes, (byte)'\n', Array.IndexOf(bytes, (byte)'\n') + 1) + 1;
        var torn = bytes[secondEnds..^40];
        File.WriteAllBytes(log.LogPath, bytes[..^40]);

        var loss = (await VerifyAsync(log)).EndLoss!;
        var repaired = await log.RepairAsync(loss, default);
        repaired.Sequence.Should().Be(4, "event 3 was torn: its number stays taken");
        repaired.Entry.Kind.Should().Be(AuditKinds.AuditRepaired);
        var kept = Directory.GetFiles(Path.Combine(_root.Path, "audit", "torn")).Should().ContainSingle().Subject;
        File.ReadAllBytes(kept).Should().Equal(torn, "the torn bytes are kept, byte for byte, never discarded");
        repaired.Entry.Path.Should().Be("audit/torn/" + Path.GetFileName(kept));

        await log.AppendAsync(new AuditEntry(AuditKinds.Received), default);
        var after = await VerifyAsync(log);
        after.Intact.Should().BeTrue(after.Message);
        after.Notes.Should().Contain(n => n.Contains("event 3 lost", StringComparison.Ordinal));
        (await log.ReadAsync(default).ToListAsync()).Select(e => e.Sequence).Should().Equal(1, 2, 4, 5);
    }

    [Fact]
    public async Task A_torn_line_with_records_the_log_does_not_account_for_is_repaired_only_as_an_accepted_loss_with_their_count()
    {
        // What verify reports when the hub holds a batch and its receipt no event accounts for, behind a torn last line:
        // a cut, not a crash, so the repair records the loss and the count, never a torn event alone.
        var log = await LogWithEventsAsync(3);
        var bytes = File.ReadAllBytes(log.LogPath);
        File.WriteAllBytes(log.LogPath, bytes[..^40]);
        var torn = await VerifyAsync(log);
        var cut = torn with { EndLoss = torn.EndLoss! with { RecordsUnaccounted = 2 } };
        cut.EndLoss!.OnlyTorn.Should().BeFalse();
        AuditRepair.Refusal(cut, acceptLoss: false).Should().Contain("torn").And.Contain("2 records the log does not account for").And.Contain("--accept-loss");
        File.ReadAllBytes(log.LogPath).Should().Equal(bytes[..^40]);
        AuditRepair.Refusal(cut, acceptLoss: true).Should().BeNull();

        var repaired = await log.RepairAsync(cut.EndLoss!, default);
        repaired.Entry.Rule.Should().Be("audit.loss_accepted");
        repaired.Entry.Counts![AuditRepair.RecordsUnaccounted].Should().Be(2);
        repaired.Entry.Counts[AuditRepair.LostFrom].Should().Be(3);
        repaired.Entry.Counts[AuditRepair.LostTo].Should().Be(3);
        repaired.Entry.Detail.Should().Contain("2 records the log did not account for").And.Contain("events after event 3 may have been lost too");
        (await VerifyAsync(log)).Intact.Should().BeTrue();
    }

    [Fact]
    public async Task Repair_refuses_events_missing_beyond_a_torn_line_unless_the_loss_is_accepted_and_never_repairs_inside_the_log()
    {
        var log = await LogWithEventsAsync(4, AuditKinds.Archived);
        Write(log, Lines(log).Take(2));
        var missing = await VerifyAsync(log);
        AuditRepair.Refusal(missing, acceptLoss: false).Should().Contain("--accept-loss");
        AuditRepair.Refusal(missing, acceptLoss: true).Should().BeNull();
        var repaired = await log.RepairAsync(missing.EndLoss!, default);
        repaired.Sequence.Should().Be(5);
        repaired.Entry.Counts!["lost_from"].Should().Be(3);
        (await VerifyAsync(log)).Intact.Should().BeTrue();

        var lines = Lines(log);
        lines[0] = lines[0].Replace("f0.csv", "f7.csv", StringComparison.Ordinal);
        Write(log, lines);
        AuditRepair.Refusal(await VerifyAsync(log), acceptLoss: true).Should().Contain("inside the log");
    }

    [Fact]
    public async Task A_legacy_unkeyed_log_is_sealed_by_a_transition_event_and_cannot_slip_back_to_unkeyed()
    {
        AuditEvent? previous = null;
        var legacy = new List<AuditEvent>();
        for (var i = 0; i < 3; i++)
        {
            previous = UnkeyedAudit.Seal(new AuditEntry(AuditKinds.Received, Detail: $"old {i}"), previous, _clock.GetUtcNow());
            legacy.Add(previous);
        }

        var log = Log();
        Directory.CreateDirectory(Path.GetDirectoryName(log.LogPath)!);
        Write(log, legacy.Select(Line));
        (await VerifyAsync(log)).Notes.Should().Contain(n => n.Contains("legacy", StringComparison.Ordinal));

        await log.AppendAsync(new AuditEntry(AuditKinds.Received, Detail: "new"), default);
        var events = await log.ReadAsync(default).ToListAsync();
        events.Select(e => e.Entry.Kind).Should().Equal(AuditKinds.Received, AuditKinds.Received, AuditKinds.Received, AuditKinds.AuditKeyed, AuditKinds.Received);
        events[3].PreviousHash.Should().Be(legacy[^1].Hash);
        var sealedLog = await VerifyAsync(log);
        sealedLog.Intact.Should().BeTrue(sealedLog.Message);
        sealedLog.Notes.Should().Contain(n => n.Contains("events 1 to 3 are legacy", StringComparison.Ordinal));

        // Dropping the last keyed event and re-chaining it unkeyed is a downgrade, not a legacy log.
        Write(log, events.Take(4).Select(Line).Append(Line(UnkeyedAudit.Seal(events[4].Entry, events[3], events[4].Time))));
        (await VerifyAsync(log)).Message.Should().Contain("unkeyed after keyed");
    }

    private AuditTrail Trail(LocalAuditLog log) => new(log, new LocalAuditKeyProvider(_root.Path), log.Anchors, null, null, _clock);

    private string AnchorsPath => Path.Combine(_root.Path, LocalAuditAnchors.RelativePath);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Appends_refuse_a_log_whose_anchors_are_gone_until_repair_records_their_loss_and_verify_notes_it(bool emptied)
    {
        var log = await LogWithEventsAsync(3, AuditKinds.Archived);
        var events = await log.ReadAsync(default).ToListAsync();
        _clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
        if (emptied)
        {
            File.WriteAllBytes(AnchorsPath, []);
        }
        else
        {
            File.Delete(AnchorsPath);
        }

        var bytes = File.ReadAllBytes(log.LogPath);
        var append = () => log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        (await append.Should().ThrowAsync<AuditChainBrokenException>()).WithMessage("*anchors/audit-anchors.jsonl holds no anchor*gone*--accept-loss*");
        File.ReadAllBytes(log.LogPath).Should().Equal(bytes, "a refused append writes nothing");
        (await log.Anchors.ReadAsync(default).ToListAsync()).Should().BeEmpty("no fresh anchors are started");

        var gone = await Trail(log).VerifyAsync(default);
        gone.Intact.Should().BeFalse();
        gone.EndLoss!.AnchorsLostFrom.Should().Be(LocalAuditAnchors.RelativePath);
        AuditRepair.Refusal(gone, acceptLoss: false).Should().Contain("--accept-loss");
        AuditRepair.Refusal(gone, acceptLoss: true).Should().BeNull();

        var repaired = await log.RepairAsync(gone.EndLoss!, default);
        repaired.Sequence.Should().Be(4, "no event is lost: the record follows the head");
        repaired.PreviousHash.Should().Be(events[^1].Hash);
        repaired.Entry.Rule.Should().Be(AuditRepair.AnchorsLostRule);
        repaired.Entry.Counts![AuditRepair.AnchorsLostThrough].Should().Be(3);
        (await log.Anchors.ReadAsync(default).ToListAsync()).Select(a => a.Sequence).Should().Equal(4);

        await append();
        var after = await Trail(log).VerifyAsync(default);
        after.Intact.Should().BeTrue(after.Message);
        after.Notes.Should().ContainSingle().Which.Should().StartWith("the anchors of events 1–3 lost, recorded by event 4: ");
    }

    [Fact]
    public async Task A_log_with_no_anchored_event_yet_is_written_to_and_anchored_without_an_anchors_file()
    {
        var log = await LogWithEventsAsync(2);
        File.Exists(AnchorsPath).Should().BeFalse("received events are not anchored");
        await log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        (await log.Anchors.ReadAsync(default).ToListAsync()).Select(a => a.Sequence).Should().Equal(3);
    }

    [Fact]
    public async Task Anchored_events_without_anchors_do_not_stop_writers_within_the_grace_and_do_after_it()
    {
        // On a fresh Azure hub several instances may commit anchored events before the first of them records its anchor.
        var log = await LogWithEventsAsync(2, AuditKinds.Archived);
        File.Delete(AnchorsPath);
        _clock.Advance(AuditAnchoring.Grace - TimeSpan.FromSeconds(10));
        var within = await Trail(log).VerifyAsync(default);
        within.Intact.Should().BeTrue(within.Message);
        within.Notes.Should().Contain(n => n.Contains("holds no anchor yet", StringComparison.Ordinal) && n.Contains("writers refuse", StringComparison.Ordinal));
        await log.AppendAsync(new AuditEntry(AuditKinds.Received), default);
        File.Delete(AnchorsPath);

        _clock.Advance(TimeSpan.FromSeconds(20));
        var append = () => log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        (await append.Should().ThrowAsync<AuditChainBrokenException>()).WithMessage("*holds no anchor*gone*");
        (await Trail(log).VerifyAsync(default)).EndLoss!.AnchorsLostFrom.Should().Be(LocalAuditAnchors.RelativePath, "verify weighs the grace as writers do");
    }

    [Fact]
    public async Task A_first_anchored_event_left_without_its_anchor_stops_writers_after_the_grace()
    {
        // A crash between the hub's first anchored event and its anchor: once the grace has passed it is the anchors gone.
        var log = await LogWithEventsAsync(1, AuditKinds.Archived);
        File.Delete(AnchorsPath);
        await log.AppendAsync(new AuditEntry(AuditKinds.Received), default);
        _clock.Advance(AuditAnchoring.Grace + TimeSpan.FromSeconds(1));
        var append = () => log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        await append.Should().ThrowAsync<AuditChainBrokenException>();
    }

    [Fact]
    public async Task Anchors_gone_stop_writers_when_the_events_were_written_while_the_clock_ran_ahead()
    {
        // The machine's clock ran an hour ahead while these were written and was then set right: they look an hour in the
        // future, and are no nearer a writer racing for the first anchor than events an hour old.
        var ahead = new ManualClock(_clock.GetUtcNow() + TimeSpan.FromHours(1));
        var written = new LocalAuditLog(_root.Path, ahead);
        await written.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        await written.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        File.Delete(AnchorsPath);

        var log = Log();
        var bytes = File.ReadAllBytes(log.LogPath);
        var append = () => log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        (await append.Should().ThrowAsync<AuditChainBrokenException>()).WithMessage("*holds no anchor*gone*");
        File.ReadAllBytes(log.LogPath).Should().Equal(bytes, "a refused append writes nothing");
        (await Trail(log).VerifyAsync(default)).EndLoss!.AnchorsLostFrom.Should().Be(LocalAuditAnchors.RelativePath, "verify weighs the clock as writers do");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(290)]
    public async Task Writers_go_on_without_anchors_when_the_events_are_stamped_a_little_ahead_of_the_clock(int secondsAhead)
    {
        // Another host's clock a little ahead, or this one's stepped back by time sync: events inside the grace either
        // side of now may be waiting for their writers' anchors, and are no sign the anchors were deleted.
        var ahead = new ManualClock(_clock.GetUtcNow() + TimeSpan.FromSeconds(secondsAhead));
        var written = new LocalAuditLog(_root.Path, ahead);
        await written.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        File.Delete(AnchorsPath);

        var log = Log();
        await log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        (await log.ReadAsync(default).ToListAsync()).Should().HaveCount(2);
    }

    [Fact]
    public async Task An_anchor_record_cut_off_by_a_crash_does_not_hide_the_anchors_after_it()
    {
        var log = await LogWithEventsAsync(1, AuditKinds.Archived);
        await File.AppendAllTextAsync(Path.Combine(_root.Path, LocalAuditAnchors.RelativePath), "{\"Seq\":9");
        await log.AppendAsync(new AuditEntry(AuditKinds.Archived), default);
        (await log.Anchors.ReadAsync(default).ToListAsync()).Select(a => a.Sequence).Should().Equal(1, 2);
        (await log.Anchors.LatestAsync(default))!.Sequence.Should().Be(2);
    }

    [Fact]
    public async Task Concurrent_appends_keep_one_unbroken_chain()
    {
        var log = Log();
        var other = Log();
        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => (i % 2 == 0 ? log : other).AppendAsync(new AuditEntry(AuditKinds.Written, Detail: $"n{i}"), default))));
        var result = await VerifyAsync(log);
        result.Intact.Should().BeTrue(result.Message);
        result.EventsChecked.Should().Be(40);
    }
}
