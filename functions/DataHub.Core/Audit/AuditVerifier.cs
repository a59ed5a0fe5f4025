using System.Globalization;
using DataHub.Core.Pseudonymisation;

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
    public static async Task<AuditVerification> VerifyAsync(IAuditLog log, IAuditKeyProvider? keys, IEnumerable<AuditAnchor> anchors, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(anchors);
        var all = anchors.ToList();
        var head = await log.GetHeadAsync(cancellationToken).ConfigureAwait(false);
        if (head is not null)
        {
            all.Add(new AuditAnchor(head.Sequence, head.Hash, "the log's head"));
        }

        var check = new ChainCheck(keys, all);
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
            return check.End(torn: true, head);
        }
        catch (FormatException ex)
        {
            return check.Broken(check.LastSequence + 1, $"the line after event {check.LastSequence} cannot be read: {ex.Message}");
        }

        return check.End(torn: false, head);
    }

    /// <summary>The running state of one verification.</summary>
    private sealed class ChainCheck(IAuditKeyProvider? keys, List<AuditAnchor> anchors)
    {
        private readonly Dictionary<long, List<AuditAnchor>> _anchors = anchors.GroupBy(a => a.Sequence).ToDictionary(g => g.Key, g => g.ToList());
        private readonly Dictionary<string, AuditKey?> _keys = new(StringComparer.Ordinal);
        private readonly List<string> _notes = [];
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

            _previous = e;
            return null;
        }

        public AuditVerification End(bool torn, AuditHead? head)
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

                var loss = new AuditEndLoss(new AuditHead(last, _previous?.Hash ?? AuditChain.Genesis), Math.Max(beyond?.Sequence ?? 0, torn ? last + 1 : 0), torn);
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

            var newest = anchors.Where(a => a.Source != "the log's head").MaxBy(a => a.Sequence);
            var anchored = newest is null ? NoAnchorYet : $"{anchors.Count(a => a.Source != "the log's head")} anchors agree, the newest event {newest.Sequence} in {newest.Source}";
            var seals = !_keyed ? string.Empty : keys is null ? " (its keyed seals were not checked: no audit key was given)" : ", " + SealsChecked;
            return new AuditVerification(true, _count, null, $"{_count} events, chain intact{seals}; {anchored}.") { Notes = _notes };
        }

        public AuditVerification Broken(long at, string message) =>
            new(false, _count, at, message) { Notes = _notes };

        private static bool IsRepairOf(AuditEvent e, long expected) =>
            e.IsKeyed
            && e.Entry.Kind == AuditKinds.AuditRepaired
            && e.Entry.Counts is { } counts
            && counts.GetValueOrDefault(AuditRepair.LostFrom) == expected
            && counts.GetValueOrDefault(AuditRepair.LostTo) == e.Sequence - 1;

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

/// <summary>The result of checking an audit log's chain.</summary>
/// <param name="Intact">True when nothing was edited, deleted, reordered or cut off.</param>
/// <param name="EventsChecked">How many events were read.</param>
/// <param name="BrokenAt">The sequence number where the chain first breaks.</param>
/// <param name="Message">What was found.</param>
public sealed record AuditVerification(bool Intact, long EventsChecked, long? BrokenAt, string Message)
{
    /// <summary>Set when the only damage is at the log's end (a torn line, events missing): what `audit repair` can seal.</summary>
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
    public bool OnlyTorn => Torn && LostThrough == LastGood.Sequence + 1;
}
