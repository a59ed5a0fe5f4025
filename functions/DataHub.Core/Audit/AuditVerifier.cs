using System.Globalization;
using System.Text.Json;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;

namespace DataHub.Core.Audit;

/// <summary>
/// Checks an audit log end to end: consecutive sequence numbers, each event chained to the one before, each seal
/// recomputed (under the audit key for keyed events), no unkeyed event after a keyed one, and every anchor kept outside
/// the log (its head, the anchor store, published manifests) naming an event the log still holds with the same seal.
/// </summary>
public static class AuditVerifier
{
    /// <summary>What an intact result's message says when every keyed seal was checked under the audit key; the board report,
    /// which reads only the published message, says the trail is unaltered only when it finds these words.</summary>
    public const string SealsChecked = "sealed under the audit key";

    /// <summary>What an intact result's message says when no anchor outside the log names an event yet.</summary>
    public const string NoAnchorYet = "no anchor outside the log yet";

    /// <summary>
    /// Checks a log's order, links and head without the audit key or anchors: enough for a log of legacy, unkeyed events;
    /// keyed seals are not checked (the message says so), so `audit verify` always passes the key.
    /// </summary>
    public static Task<AuditVerification> VerifyAsync(IAuditLog log, CancellationToken cancellationToken) =>
        VerifyAsync(log, null, [], cancellationToken);

    /// <summary>Checks the whole log against its head and <paramref name="anchors"/>, checking keyed seals with <paramref name="keys"/>.</summary>
    /// <exception cref="KeyUnavailableException">The log holds keyed events and the audit key cannot be had.</exception>
    public static Task<AuditVerification> VerifyAsync(IAuditLog log, IAuditKeyProvider? keys, IEnumerable<AuditAnchor> anchors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        return VerifyAsync(log, keys, new AuditEvidence([.. anchors]), cancellationToken);
    }

    /// <summary>
    /// Checks the whole log against its head and <paramref name="evidence"/>: its anchors, that the anchor store holds what
    /// the log says was anchored, and that every record the hub keeps has its event.
    /// </summary>
    /// <exception cref="KeyUnavailableException">The log holds keyed events and the audit key cannot be had.</exception>
    public static async Task<AuditVerification> VerifyAsync(IAuditLog log, IAuditKeyProvider? keys, AuditEvidence evidence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(evidence);
        var all = evidence.Anchors.ToList();
        var head = await log.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        if (head is not null)
        {
            all.Add(new AuditAnchor(head.Sequence, head.Hash, "the log's head"));
        }

        var check = new ChainCheck(log, keys, all, evidence);
        try
        {
            await foreach (var e in log.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (await check.AddAsync(e, cancellationToken).ConfigureAwait(false) is { } broken)
                {
                    return broken;
                }
            }
        }
        catch (AuditLineException ex) when (ex.Torn)
        {
            return await check.EndAsync(torn: true, head, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            return check.Broken(check.LastSequence + 1, $"the line after event {check.LastSequence} cannot be read: {ex.Message}");
        }

        return await check.EndAsync(torn: false, head, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The running state of one verification.</summary>
    private sealed class ChainCheck(IAuditLog log, IAuditKeyProvider? keys, List<AuditAnchor> anchors, AuditEvidence evidence)
    {
        // A rollup switches its pointer and then writes its publication event: a version switched this recently may be in between.
        private static readonly TimeSpan JustSwitched = TimeSpan.FromMinutes(5);

        private readonly Dictionary<long, List<AuditAnchor>> _anchors = anchors.GroupBy(a => a.Sequence).ToDictionary(g => g.Key, g => g.ToList());
        private readonly HashSet<long> _stored = [.. evidence.StoreAnchors.Select(a => a.Sequence)];
        private readonly Dictionary<string, List<AuditedRecord>> _records = evidence.Records
            .SelectMany(r => r.Keys.Select(k => (Key: k, Record: r)))
            .GroupBy(p => p.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Record).ToList(), StringComparer.Ordinal);
        private readonly HashSet<AuditedRecord> _accounted = new(ReferenceEqualityComparer.Instance);
        private readonly List<(DateTimeOffset After, DateTimeOffset Before, string? Sha256)> _losses = [];
        private readonly List<AuditEvent> _unanchored = [];
        private readonly Dictionary<string, AuditKey?> _keys = new(StringComparer.Ordinal);
        private readonly List<string> _notes = [];
        private long _anchorable;
        private long _overdue;
        private AuditEvent? _previous;
        private long _count;
        private long _legacy;
        private bool _keyed;

        public long LastSequence => _previous?.Sequence ?? 0;

        public async Task<AuditVerification?> AddAsync(AuditEvent e, CancellationToken cancellationToken)
        {
            _count++;
            var expected = LastSequence + 1;
            if (e.Sequence != expected)
            {
                if (!IsRepairOf(e, expected))
                {
                    return Broken(e.Sequence, $"event {e.Sequence} is where event {expected} should be (an event was deleted, added or moved).");
                }

                _notes.Add($"{(expected == e.Sequence - 1 ? "event" : "events")} {Range(expected, e.Sequence - 1)} lost at the log's end, recorded by event {e.Sequence}: {e.Entry.Detail}");
                // A torn line was repaired with no record left unaccounted, so its window excuses none: a record that
                // turns up in it later (a pointer switched back, a record added) is reported, as are any an older repair
                // sealed before open work and fresh publications were counted.
                if (!string.Equals(e.Entry.Rule, AuditRepair.TornLineRule, StringComparison.Ordinal))
                {
                    _losses.Add((_previous?.Time ?? DateTimeOffset.MinValue, e.Time, _previous?.Entry.FileSha256));
                }
            }

            if (!string.Equals(e.PreviousHash, _previous?.Hash ?? AuditChain.Genesis, StringComparison.Ordinal))
            {
                return Broken(e.Sequence, $"event {e.Sequence} does not chain to the event before it (an event was removed, replaced or re-sealed).");
            }

            if (e.IsKeyed)
            {
                if (!_keyed && _legacy > 0 && e.Entry.Kind is not (AuditKinds.AuditKeyed or AuditKinds.AuditRepaired))
                {
                    return Broken(e.Sequence, $"event {e.Sequence} is the first keyed event but not the sealed transition from the legacy events before it.");
                }

                _keyed = true;
                var key = await KeyAsync(e.KeyVersion!, cancellationToken).ConfigureAwait(false);
                if (key is null && keys is not null)
                {
                    return Broken(e.Sequence, $"event {e.Sequence} is sealed under audit key version {e.KeyVersion}, which the audit key store does not hold.");
                }

                if (key is not null && !AuditChain.HasValidSeal(e, key))
                {
                    return Broken(e.Sequence, $"event {e.Sequence} does not match its seal: it was changed after it was recorded, or the chain was re-computed without the audit key.");
                }
            }
            else
            {
                if (_keyed)
                {
                    return Broken(e.Sequence, $"event {e.Sequence} is unkeyed after keyed events: the chain from here was re-computed without the audit key.");
                }

                _legacy++;
                if (!AuditChain.HasValidSeal(e, null))
                {
                    return Broken(e.Sequence, $"event {e.Sequence} was changed after it was recorded (its hash does not match its content).");
                }
            }

            if (_anchors.TryGetValue(e.Sequence, out var here) && here.FirstOrDefault(a => !string.Equals(a.Hash, e.Hash, StringComparison.Ordinal)) is { } differs)
            {
                return Broken(e.Sequence, $"event {e.Sequence} is not the event {differs.Source} records: the log was rewritten.");
            }

            if (IsAnchorsLossAt(e))
            {
                // The events before it lost their anchors and the loss is on record: they are reported by it, not as unanchored.
                _notes.Add($"the anchors of {(e.Sequence == 2 ? "event" : "events")} {Range(1, e.Sequence - 1)} lost, recorded by event {e.Sequence}: {e.Entry.Detail}");
                _unanchored.Clear();
            }

            if (AuditAnchoring.WasAnchored(e))
            {
                _anchorable++;
                if (AuditAnchoring.ShouldBeAnchored(e, evidence.Time.GetUtcNow()))
                {
                    _overdue++;
                }

                if (!_stored.Contains(e.Sequence))
                {
                    _unanchored.Add(e);
                }
            }

            Account(e);
            _previous = e;
            return null;
        }

        // Marks the records this event accounts for.
        private void Account(AuditEvent e)
        {
            var entry = e.Entry;
            var keys = entry.Path is null
                ? [AuditedRecord.ContentKey(entry.Kind, entry.Partner, entry.Feed, entry.FileSha256)]
                : new[] { AuditedRecord.PathKey(entry.Kind, entry.Path), AuditedRecord.ContentKey(entry.Kind, entry.Partner, entry.Feed, entry.FileSha256) };
            foreach (var key in keys)
            {
                if (_records.TryGetValue(key, out var waiting))
                {
                    foreach (var record in waiting.Where(r => r.IsRecordedBy(e)))
                    {
                        _accounted.Add(record);
                    }
                }
            }
        }

        public async Task<AuditVerification> EndAsync(bool torn, AuditHead? head, CancellationToken cancellationToken)
        {
            var last = LastSequence;
            var beyond = anchors.Where(a => a.Sequence > last).MaxBy(a => a.Sequence);
            if (torn || beyond is not null)
            {
                var findings = new List<string>();
                if (torn)
                {
                    findings.Add($"the last line, after event {last}, is torn (a write was cut off)");
                }

                if (beyond is not null && (!torn || beyond.Sequence > last + 1))
                {
                    findings.Add(last == 0
                        ? $"the log holds no events but {beyond.Source} records event {beyond.Sequence}: the log was deleted or emptied"
                        : $"the log ends at event {last} but {beyond.Source} records event {beyond.Sequence}: events {Range(last + 1, beyond.Sequence)} are missing from its end");
                }

                // Anchors gone with it must not go unrecorded: repairing the end alone would start fresh anchors and hide their loss.
                string? anchorsGone = null;
                if (evidence.AnchorStore is { } store && AnchorsGone(store) is { } gone)
                {
                    findings.Add(gone);
                    anchorsGone = store;
                }

                // Whatever the anchors hold (they may have been trimmed with the log), a torn line or the missing events must
                // not pass for the whole loss: the records are checked as for an intact chain, and those the log does not
                // account for are counted into the loss the repair records. A record that cannot be read is no loss at the
                // log's end: the log and anchors are restored from backup.
                var recordsLeft = new List<AuditedRecord>();
                if (await CheckRecordsAsync(findings, recordsLeft, endDamaged: true, cancellationToken).ConfigureAwait(false) is { } tailBroken)
                {
                    return tailBroken;
                }

                if (evidence.UnreadableRecords.Count > 0)
                {
                    return Broken(last + 1, string.Join("; ", findings) + ".");
                }

                var loss = new AuditEndLoss(new AuditHead(last, _previous?.Hash ?? AuditChain.Genesis), Math.Max(beyond?.Sequence ?? 0, torn ? last + 1 : 0), torn) { AnchorsLostFrom = anchorsGone, RecordsUnaccounted = CutWithTheEnd(recordsLeft, findings) };
                return Broken(last + 1, string.Join("; ", findings) + ".") with { EndLoss = loss };
            }

            if (_legacy > 0)
            {
                _notes.Add(_keyed
                    ? $"events 1 to {_legacy} are legacy (recorded before the audit key, a plain SHA-256 chain) and are sealed by event {_legacy + 1}"
                    : $"all {_legacy} events are legacy, unkeyed (recorded before the audit key): anyone could re-compute their chain; the next event written seals them");
            }

            if (head is null && last > 0)
            {
                _notes.Add("the log has no separately kept head");
            }
            else if (head is not null && head.Sequence < last)
            {
                _notes.Add($"the head names event {head.Sequence}, before the last event {last} (a write stopped after its line; the next write moves the head)");
            }

            if (await UnaccountedAsync(last, cancellationToken).ConfigureAwait(false) is { } unaccounted)
            {
                return unaccounted;
            }

            var newest = anchors.Where(a => a.Source != "the log's head").MaxBy(a => a.Sequence);
            var anchored = newest is null ? NoAnchorYet : $"{anchors.Count(a => a.Source != "the log's head")} anchors agree, the newest event {newest.Sequence} in {newest.Source}";
            var seals = !_keyed ? string.Empty : keys is null ? " (its keyed seals were not checked: no audit key was given)" : ", " + SealsChecked;
            return new AuditVerification(true, _count, null, $"{_count} events, chain intact{seals}; {anchored}.") { Notes = _notes };
        }

        // The anchor store and the hub's records against an intact chain: what the log says was anchored must be in the
        // store, and every record the hub keeps must have its event. Cutting whole commands from the log's end (and the
        // anchors with them) leaves the chain intact, but not these.
        private async Task<AuditVerification?> UnaccountedAsync(long last, CancellationToken cancellationToken)
        {
            var findings = new List<string>();
            string? anchorsGone = null;
            if (evidence.AnchorStore is { } store)
            {
                foreach (var unreadable in evidence.UnreadableAnchors)
                {
                    _notes.Add($"{unreadable} cannot be read as an anchor (a record cut off by a crash, or altered)");
                }

                // As writers weigh it: anchored events from the last few minutes may be waiting for their writers' anchors.
                if (AnchorsGone(store) is { } gone)
                {
                    findings.Add(gone);
                    anchorsGone = store;
                }
                else if (_anchorable > 0 && _stored.Count == 0)
                {
                    _notes.Add($"{store} holds no anchor yet, and the log's {_anchorable} anchored {(_anchorable == 1 ? "event is" : "events are")} from the last {AuditAnchoring.Grace.TotalMinutes:0} minutes: their writers record the anchors just after them (writers refuse, and verify breaks, once one is older than that with still no anchor)");
                }
                else if (_unanchored.Count > 0)
                {
                    var shown = string.Join(", ", _unanchored.Take(5).Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Sequence} ({e.Entry.Kind})")));
                    _notes.Add($"{(_unanchored.Count == 1 ? "event" : $"{_unanchored.Count} events")} {shown}{(_unanchored.Count > 5 ? ", …" : string.Empty)} {(_unanchored.Count == 1 ? "has" : "have")} no anchor in {store}: a crash between an event and its anchor, an event recorded before its kind was anchored, or anchors removed");
                }
            }

            var recordsLeft = new List<AuditedRecord>();
            var pending = new List<AuditedRecord>();
            if (await CheckRecordsAsync(findings, recordsLeft, endDamaged: false, cancellationToken, pending).ConfigureAwait(false) is { } tailBroken)
            {
                return tailBroken;
            }

            if (findings.Count == 0)
            {
                return null;
            }

            // Anchors gone are a loss `audit repair --accept-loss` can record at the log's end, and so are records the log
            // does not account for with them, made since its last event: they prove events after it existed and were cut
            // (as behind a torn line), so the repair records at least one event lost and their count. With a record that
            // cannot be read the log and anchors are restored from backup.
            if (anchorsGone is null || evidence.UnreadableRecords.Count > 0)
            {
                return Broken(last + 1, string.Join("; ", findings) + ".");
            }

            var cut = CutWithTheEnd(recordsLeft, findings);

            // Anchors gone are never only a crash, and the loss a repair records excuses whatever falls in it: work still
            // open and versions switched moments ago in it are counted too, not left as notes, even when nothing else is
            // missing (a delivery cut with its receipt set back to open would otherwise pass as the anchors' loss alone).
            if (pending.Count(r => IsInLoss(r, EndWindow())) is var alsoCut and > 0)
            {
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"{(alsoCut == 1 ? "a record" : $"{alsoCut} records")} still open or published moments ago {(alsoCut == 1 ? "is" : "are")} counted with them: with the log's end cut {(alsoCut == 1 ? "its event" : "their events")} may be among those lost"));
                cut += alsoCut;
            }

            var loss = new AuditEndLoss(new AuditHead(last, _previous!.Hash), cut > 0 ? last + 1 : last, Torn: false) { AnchorsLostFrom = anchorsGone, RecordsUnaccounted = cut };
            return Broken(last + 1, string.Join("; ", findings) + ".") with { EndLoss = loss };
        }

        // How many of the records the log does not account for were made since its last event (or are of that event's
        // file): those a cut from its end explains, and the loss a repair records excuses. The rest (made before it, or at a
        // time the hub's clock has not reached: a forged record, or the items a restore from backup left) get a finding
        // saying they are not counted; verify reports them after a repair as before it, and the end can still be repaired
        // (a crash after a restore must not leave the hub unable to write).
        private int CutWithTheEnd(List<AuditedRecord> recordsLeft, List<string> findings)
        {
            var loss = EndWindow();
            var cut = recordsLeft.Count(r => IsInLoss(r, loss));
            var outside = recordsLeft.Count - cut;
            if (outside > 0)
            {
                var them = outside == 1 ? "it" : "them";
                findings.Add(string.Create(CultureInfo.InvariantCulture, $"{(outside == 1 ? "one of those records was" : $"{outside} of those records were")} made before event {LastSequence}, the last the log holds (or at a time the hub's clock has not reached): events cut from the log's end do not account for {them}, so a repair does not count {them} and verify goes on reporting {them}"));
            }

            return cut;
        }

        // The time a loss at the log's end would cover: from its last event to now.
        private (DateTimeOffset After, DateTimeOffset Before, string? Sha256) EndWindow() =>
            (_previous?.Time ?? DateTimeOffset.MinValue, evidence.Time.GetUtcNow(), _previous?.Entry.FileSha256);

        // A record made at the time of a loss (or of the file whose event ends the log before it) may have lost its event with it.
        private static bool IsInLoss(AuditedRecord record, (DateTimeOffset After, DateTimeOffset Before, string? Sha256) loss) =>
            (record.At is { } at && at >= loss.After && at <= loss.Before) || (record.Sha256 is not null && record.Sha256 == loss.Sha256);

        // Every record the hub keeps must have its event: adds to findings the records that cannot be read and those the log
        // does not account for (named in missing; the rest are notes); returns a break found in events written since the log was read.
        // With the log's end damaged, work still open and a version switched moments ago are missing too: the log no longer
        // shows whether their events were yet to come or were cut, and a repair that did not count them would excuse them for good.
        // Notes on open work and fresh versions also go to noted, when given.
        private async Task<AuditVerification?> CheckRecordsAsync(List<string> findings, List<AuditedRecord> missing, bool endDamaged, CancellationToken cancellationToken, List<AuditedRecord>? noted = null)
        {
            var pending = new List<AuditedRecord>();
            if (evidence.Records.Any(r => !_accounted.Contains(r) && IsJustSwitched(r)) && await ReadTailAsync(cancellationToken).ConfigureAwait(false) is { } tailBroken)
            {
                return tailBroken;
            }

            findings.AddRange(evidence.UnreadableRecords);
            foreach (var record in evidence.Records.Where(r => !_accounted.Contains(r)))
            {
                if (endDamaged && (record.Unfinished || IsJustSwitched(record) || await StillOpenAsync(record, cancellationToken).ConfigureAwait(false)))
                {
                    pending.Add(record);
                }
                else if (record.Unfinished || await StillOpenAsync(record, cancellationToken).ConfigureAwait(false))
                {
                    _notes.Add($"{record.Name} has no commit event yet: its receipt is still open, and the attempt that finishes it records it (or redoes it)");
                    noted?.Add(record);
                }
                else if (IsJustSwitched(record))
                {
                    _notes.Add($"{record.Name} has no publication event yet: it was published moments ago; its event is being written");
                    noted?.Add(record);
                }
                else if (record.NotCurrent)
                {
                    _notes.Add($"{record.Name} has no publication event and was never made current: a rollup stopped after writing it and before its switch, or its event was cut; a folder with a manifest is never cleared, so this note stays as long as the folder does (see the runbook: check the host's log for a rollup stopped at that time and record it)");
                }
                else if (_losses.Any(l => IsInLoss(record, l)))
                {
                    _notes.Add($"{record.Name} has no event: it was made at the time of a loss a repair recorded, so its event may be among those lost");
                }
                else if (!await WithdrawnAsync(record, cancellationToken).ConfigureAwait(false))
                {
                    missing.Add(record);
                }
            }

            if (missing.Count > 0)
            {
                findings.Add($"the hub holds {(missing.Count == 1 ? "a record" : $"{missing.Count} records")} the log does not account for ({string.Join("; ", missing.Take(10).Select(r => r.Name))}{(missing.Count > 10 ? "; …" : string.Empty)}): events were cut from the log's end, its anchors with them, or the {(missing.Count == 1 ? "record was" : "records were")} made outside the hub");
            }

            if (pending.Count > 0)
            {
                findings.Add($"{(pending.Count == 1 ? "a record" : $"{pending.Count} records")} with no event yet ({string.Join("; ", pending.Take(10).Select(r => r.Name))}{(pending.Count > 10 ? "; …" : string.Empty)}) {(pending.Count == 1 ? "is" : "are")} still open or published moments ago: with the log's end damaged their events may be among those cut, so they are counted as the log does not account for them");
                missing.AddRange(pending);
            }

            return null;
        }

        // The finding when an anchored event is overdue for its anchor and the store holds none; null otherwise.
        private string? AnchorsGone(string store) => _overdue > 0 && _stored.Count == 0
            ? $"the log holds {_anchorable} anchored events{(_unanchored.Count > 0 ? $", the latest event {_unanchored[^1].Sequence}," : string.Empty)} but {store} holds {(evidence.UnreadableAnchors.Count == 0 ? "no anchor" : "no anchor that can be read")}: the anchors were deleted or overwritten"
            : null;

        private bool IsJustSwitched(AuditedRecord record) =>
            !record.NotCurrent && record.SwitchedAt is { } switched && evidence.Time.GetUtcNow() - switched is var ago && ago <= JustSwitched && ago >= -JustSwitched;

        // The events written since the log was read, checked as the rest were: once, for a version switched moments ago
        // whose publication event may have been written meanwhile. A line still being written ends the re-read.
        private async Task<AuditVerification?> ReadTailAsync(CancellationToken cancellationToken)
        {
            try
            {
                await foreach (var e in log.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    if (e.Sequence > LastSequence && await AddAsync(e, cancellationToken).ConfigureAwait(false) is { } broken)
                    {
                        return broken;
                    }
                }
            }
            catch (FormatException)
            {
                // The next verification reads that line whole, or finds it torn.
            }

            return null;
        }

        // A batch's receipt, re-read once before the batch is called unaccounted: an ingest that claimed after the receipts
        // were listed and committed before the log was read is open now, and records its event when it finishes. A receipt
        // that cannot be read (the listing already reported it, a break) is not open: the batch is unaccounted too.
        private async Task<bool> StillOpenAsync(AuditedRecord record, CancellationToken cancellationToken)
        {
            if (record.Receipt is not { } key || evidence.Receipts is not { } receipts)
            {
                return false;
            }

            try
            {
                return await receipts.GetAsync(key, cancellationToken).ConfigureAwait(false) is { State: not ReceiptState.Completed };
            }
            catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException or InvalidCastException)
            {
                return false;
            }
        }

        // A batch's manifest, looked for again before the batch is called unaccounted: a takeover that quarantines the
        // content withdraws an earlier attempt's manifest (its deleted event) and completes the receipt after the manifests
        // were listed, and a manifest no longer there has nothing left for the log to account for.
        private async Task<bool> WithdrawnAsync(AuditedRecord record, CancellationToken cancellationToken) =>
            record.Receipt is not null
            && record.Path is { } path
            && evidence.Store is { } store
            && await store.GetAsync(path, cancellationToken).ConfigureAwait(false) is null;

        public AuditVerification Broken(long at, string message) =>
            new(false, _count, at, message) { Notes = _notes };

        private static bool IsRepairOf(AuditEvent e, long expected) =>
            e.IsKeyed
            && e.Entry.Kind == AuditKinds.AuditRepaired
            && e.Entry.Counts is { } counts
            && counts.GetValueOrDefault(AuditRepair.LostFrom) == expected
            && counts.GetValueOrDefault(AuditRepair.LostTo) == e.Sequence - 1;

        private static bool IsAnchorsLossAt(AuditEvent e) =>
            e.IsKeyed
            && e.Entry.Kind == AuditKinds.AuditRepaired
            && e.Entry.Rule == AuditRepair.AnchorsLostRule
            && e.Entry.Counts is { } counts
            && counts.GetValueOrDefault(AuditRepair.AnchorsLostThrough) == e.Sequence - 1;

        private static string Range(long from, long to) =>
            from == to ? from.ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{from}–{to}");

        private async Task<AuditKey?> KeyAsync(string version, CancellationToken cancellationToken)
        {
            if (keys is null)
            {
                return null;
            }

            if (_keys.Count == 0)
            {
                // The key store itself must be usable (present, private, well-formed): otherwise this is a configuration fault, not a finding.
                await keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
            }

            if (!_keys.TryGetValue(version, out var key))
            {
                try
                {
                    key = await keys.GetVersionAsync(version, cancellationToken).ConfigureAwait(false);
                }
                catch (KeyUnavailableException)
                {
                    key = null;
                }

                _keys[version] = key;
            }

            return key;
        }
    }
}

/// <summary>What vouches for a log from outside it, for <see cref="AuditVerifier.VerifyAsync(IAuditLog, IAuditKeyProvider?, AuditEvidence, CancellationToken)"/>.</summary>
/// <param name="Anchors">Every anchor: the anchor store's and the published manifests'.</param>
public sealed record AuditEvidence(IReadOnlyList<AuditAnchor> Anchors)
{
    /// <summary>The anchor store as messages name it, when it is checked for holding every anchor the log says was written.</summary>
    public string? AnchorStore { get; init; }

    /// <summary>The anchor store's own anchors (also among <see cref="Anchors"/>).</summary>
    public IReadOnlyList<AuditAnchor> StoreAnchors { get; init; } = [];

    /// <summary>Records in the anchor store that cannot be read, as messages name them.</summary>
    public IReadOnlyList<string> UnreadableAnchors { get; init; } = [];

    /// <summary>The hub's records the log must account for (<see cref="AuditRecords"/>).</summary>
    public IReadOnlyList<AuditedRecord> Records { get; init; } = [];

    /// <summary>Records the hub keeps that cannot be read (a damaged batch manifest), as messages name them: each a break.</summary>
    public IReadOnlyList<string> UnreadableRecords { get; init; } = [];

    /// <summary>The hub's receipts, re-read for a batch the log does not account for before it is called a break.</summary>
    public IReceiptStore? Receipts { get; init; }

    /// <summary>The hub's object store, where a batch manifest the log does not account for is looked for again (withdrawn since it was listed).</summary>
    public IObjectStore? Store { get; init; }

    /// <summary>The clock that tells a version switched moments ago (its publication event still being written).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>The result of checking an audit log's chain.</summary>
/// <param name="Intact">True when nothing was edited, deleted, reordered or cut off.</param>
/// <param name="EventsChecked">How many events were read.</param>
/// <param name="BrokenAt">The sequence number where the chain first breaks.</param>
/// <param name="Message">What was found.</param>
public sealed record AuditVerification(bool Intact, long EventsChecked, long? BrokenAt, string Message)
{
    /// <summary>Set when the damage is at the log's end (a torn line, events missing, every anchor gone): what `audit repair` can seal.</summary>
    public AuditEndLoss? EndLoss { get; init; }

    /// <summary>Things worth knowing that do not break the chain (legacy events, repairs recorded, a lagging head).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Events lost at the end of a log, which a repair can record so the chain continues.</summary>
/// <param name="LastGood">The last event that verifies (sequence 0 and the genesis hash when none does).</param>
/// <param name="LostThrough">The highest sequence known to have existed: the torn line's, or the newest anchor's.</param>
/// <param name="Torn">True when the last line was cut off mid-write.</param>
public sealed record AuditEndLoss(AuditHead LastGood, long LostThrough, bool Torn)
{
    /// <summary>True when nothing but the torn event is missing: a crash, with no recorded event lost.</summary>
    public bool OnlyTorn => Torn && LostThrough == LastGood.Sequence + 1 && RecordsUnaccounted == 0;

    /// <summary>True when events are lost from the end (a torn line, events missing), not only anchors.</summary>
    public bool EventsLost => Torn || LostThrough > LastGood.Sequence;

    /// <summary>The anchor store as messages name it when every anchor is lost (with or without events lost from the end):
    /// the repair records, after any events lost, that the events so far can no longer be checked against anchors; null otherwise.</summary>
    public string? AnchorsLostFrom { get; init; }

    /// <summary>How many of the hub's records, made since the last good event, the log does not account for: their events
    /// were cut from the log's end too, beyond what a torn line or <see cref="LostThrough"/> shows (with the anchors gone and
    /// no other damage, they alone make <see cref="LostThrough"/> one past the last good event).</summary>
    public int RecordsUnaccounted { get; init; }
}
