using System.Text.RegularExpressions;
using DataHub.Core.Audit;
using DataHub.Core.Ingestion;
using DataHub.Core.Kpis;
using DataHub.Core.Marts;
using DataHub.Core.Retention;
using DataHub.Core.Validation;

namespace DataHub.Core.Governance;

/// <summary>The outcomes a delivery can end in, as written in the deliveries table.</summary>
public static class DeliveryOutcomes
{
    /// <summary>Every row stored.</summary>
    public const string Stored = "stored";

    /// <summary>Stored, with some rows rejected within the agreement's tolerance.</summary>
    public const string PartlyRejected = "partly_rejected";

    /// <summary>The whole file went to quarantine with its report.</summary>
    public const string Quarantined = "quarantined";

    /// <summary>The same content had already been processed.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Quarantined after repeated failures.</summary>
    public const string Poison = "poison";

    /// <summary>The landing path was refused before anything was read.</summary>
    public const string Refused = "refused";

    /// <summary>The last attempt failed; the file waits in landing for a retry.</summary>
    public const string Failed = "failed";

    /// <summary>Another worker was processing the same content.</summary>
    public const string InProgress = "in_progress";

    /// <summary>The partner replaced the file in landing before the hub had read it whole: nothing of it was stored.</summary>
    public const string Superseded = "superseded";

    /// <summary>Received, with no outcome recorded yet.</summary>
    public const string Received = "received";

    /// <summary>True for the outcomes that put rows in the marts.</summary>
    public static bool StoresRows(string outcome) => outcome is Stored or PartlyRejected;
}

/// <summary>One file received (or one refused landing path), as the audit log tells it; a retry after a failure is the same delivery.</summary>
/// <param name="Partner">The sending partner ("" for a refused path, or a version superseded at one).</param>
/// <param name="Feed">The feed ("" for a refused path, or a version superseded at one).</param>
/// <param name="Agreement">The agreement the decision cited.</param>
/// <param name="ReceivedAt">When the file was first received.</param>
/// <param name="Outcome">One of <see cref="DeliveryOutcomes"/>.</param>
/// <param name="Rule">The rule behind a quarantine, refusal or duplicate.</param>
/// <param name="RowsRead">Rows read.</param>
/// <param name="RowsStored">Rows stored in the marts.</param>
/// <param name="RowsRejected">Rows rejected.</param>
/// <param name="RejectedByRule">Rows rejected per rule.</param>
/// <param name="RowsWithKey">Stored rows carrying each linkage key.</param>
/// <param name="Batch">The ingest batch.</param>
/// <param name="KeyVersion">The pseudonymisation key version the rows were stored under.</param>
/// <param name="Sha256">The content hash (only its first 12 characters are published).</param>
/// <param name="DataQuarters">The quarters the delivery stored rows for.</param>
/// <param name="Attempts">How many times the file was received (retries after failures).</param>
/// <param name="FirstSequence">The audit sequence of its first event.</param>
public sealed record Delivery(
    string Partner,
    string Feed,
    string Agreement,
    DateTimeOffset ReceivedAt,
    string Outcome,
    string? Rule,
    long RowsRead,
    long RowsStored,
    long RowsRejected,
    IReadOnlyDictionary<string, long> RejectedByRule,
    IReadOnlyDictionary<string, long> RowsWithKey,
    string? Batch,
    string? KeyVersion,
    string? Sha256,
    IReadOnlyList<Quarter> DataQuarters,
    int Attempts,
    long FirstSequence)
{
    /// <summary>
    /// Which of its copies were deleted at the end of their agreement's retention, of <c>raw</c> (its archived copy),
    /// <c>quarantine</c> (its quarantined copy) and <c>mart</c> (the rows it stored), in that order; empty while all are held.
    /// </summary>
    public IReadOnlyList<string> RetentionDeleted { get; init; } = [];

    /// <summary>The quarter the file was received in.</summary>
    public Quarter ReceivedQuarter => Quarter.Of(DateOnly.FromDateTime(ReceivedAt.UtcDateTime));

    /// <summary>Rows rejected as exact repeats of an earlier row.</summary>
    public long DuplicateRows => RejectedByRule.GetValueOrDefault(Rules.RowDuplicate);

    /// <summary>Rows rejected because a required value was empty.</summary>
    public long MissingRequiredRows => RejectedByRule.GetValueOrDefault(Rules.ValueRequired);
}

/// <summary>Reads the deliveries out of the audit log, in the order they were received.</summary>
public static partial class DeliveryLedger
{
    /// <summary>
    /// One delivery per <c>received</c> event (a retry after a failed attempt, or the same file received again after an
    /// attempt that recorded no outcome, joins its delivery: by its path, or after a key rotation by its <c>retry</c>
    /// event, or without one, when its label was made under another key version than such a delivery's of its content,
    /// as the received events record it or, in logs from before they did, as an audited pseudonymisation key rotation
    /// between them shows, and the log's retry events, later ones included, do not show the two files' names with
    /// different labels under one key version) and per refused path. The log is read twice: its retry events first, then
    /// in order.
    /// </summary>
    public static IReadOnlyList<Delivery> From(IEnumerable<AuditEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var ordered = events.OrderBy(e => e.Sequence).ToList();
        var deliveries = new List<Building>();

        // Every delivery of the same content, oldest first: two files of one content can be in the hub at once (a copy
        // under another name waits while the first is stored), so an event goes to the file its path names.
        var ofContent = new Dictionary<(string, string, string), List<Building>>();

        // Where each delivery's copies were kept (by holding and path), and the deliveries of each batch (by feed): the
        // end of a copy's retention is told by its path alone, as retention may name no partner or feed (the agreement
        // ended, the feed was dropped, or the copy is an unrouted file's).
        var keptAt = new Dictionary<(int Holding, string Path), Building>();
        var ofBatch = new Dictionary<(string Feed, string Batch), List<Building>>();

        // The delivery whose attempt last committed each batch's manifest (a worker that took over a claim replaces it;
        // a late commit that lost its claim withdraws it): only that delivery's file found a duplicate of it is stored.
        var committer = new Dictionary<(string Feed, string Batch), Building>();
        // Per batch, the delivery whose file an event last named while working on it: the mart and manifest events that
        // follow (they name no file) are that attempt's, not an earlier attempt's of another file of the same content.
        var working = new Dictionary<(string Feed, string Batch), Building>();

        // The received events a retry event follows (for the same file, before it is received again): the retry event says
        // exactly which delivery such a file joins, so the guess by content below is not made for it. And the names the
        // retry events show, each with its label under each key version known: the guess is not made where they differ.
        var (toldByRetryEvent, names) = ReadRetryEvents(ordered);

        // The sequence of the latest audited pseudonymisation key rotation: file labels made after it differ from those made
        // before. Only read for received events that do not record their label's key version (written before they did).
        var labelsTurnedAt = 0L;
        foreach (var e in ordered)
        {
            var entry = e.Entry;
            if (KeyRotations.TurnsLabels(entry))
            {
                labelsTurnedAt = e.Sequence;
                continue;
            }

            if (entry.Kind == AuditKinds.PathRefused)
            {
                var refused = new Building("", "", e) { Outcome = DeliveryOutcomes.Refused, Rule = entry.Rule };
                deliveries.Add(refused);
                if (entry.Path is { } moved && moved.StartsWith("quarantine/", StringComparison.Ordinal))
                {
                    keptAt[(QuarantineHolding, moved)] = refused;
                }

                continue;
            }

            if (entry.Kind == AuditKinds.Superseded && entry.FileSha256 is null)
            {
                // A version replaced before the hub read it: never received, but a file the partner sent all the same. One
                // found at a path the hub does not take (replaced before it could be moved) has no partner or feed, as a refused path.
                deliveries.Add(new Building(entry.Partner ?? "", entry.Feed ?? "", e) { Outcome = DeliveryOutcomes.Superseded, Rule = entry.Rule });
                continue;
            }

            if (entry.Kind == AuditKinds.Deleted)
            {
                if (entry.Path is { } deleted)
                {
                    Deleted(entry, deleted, keptAt, ofBatch, committer);
                }

                continue;
            }

            if (entry.Partner is null || entry.Feed is null || entry.FileSha256 is null)
            {
                continue;
            }

            var key = (entry.Partner, entry.Feed, entry.FileSha256);
            var same = ofContent.TryGetValue(key, out var known) ? known : ofContent[key] = [];
            if (entry.Kind == AuditKinds.Received)
            {
                // A retry of the file the path names, after a failure or an attempt that recorded no outcome (a stopped
                // process, a wait for another delivery of it). Under one key a name has one label, so a label no delivery
                // names is a new name, unless it was made under another key version than a waiting delivery's label: then
                // it may be that file's name under the new key. Its retry event, when written, says which delivery it
                // retries (below). Without one it joins a waiting delivery of its content labelled under another version:
                // the one that made the last commit of the content's batch if it waits (its file, found stored, then counts
                // the batch on its row), else the latest; not one whose file's name a retry event anywhere in the log shows
                // a label, under a version this label's name has one under, that is not this name's (that file's label under
                // this version is then another). If it is in fact another file of that content the two share a row, whereas
                // a retry given a row of its own would leave a batch its earlier attempt stored counted on no row. A label
                // so joined is checked with the row's other labels when a later one comes, but names no file beyond this row.
                if (same.LastOrDefault(d => d.Waiting && d.Names(entry.Path)) is { } byPath)
                {
                    byPath.Received(e, entry.Path);
                    continue;
                }

                var label = LabelOf(entry.Path);
                var guessed = same.Any(d => d.Names(entry.Path)) || toldByRetryEvent.Contains(e.Sequence)
                    ? null
                    : Rejoined(same.Where(d => d.Waiting && d.LabelledUnderAnotherKey(e, labelsTurnedAt) && d.MayBeNamed(names, entry.Partner, entry.Feed, label)).ToList(), entry.Feed, committer);
                if (guessed is not null)
                {
                    guessed.Received(e, entry.Path);
                    continue;
                }

                var d = new Building(entry.Partner, entry.Feed, e);
                deliveries.Add(d);
                same.Add(d);
                continue;
            }

            if (entry.Kind == AuditKinds.Retry)
            {
                // The file is at the landing path of the attempt the content's receipt records, the path the event names
                // (labelled under an earlier key): it is that attempt's retry, and joins its delivery, if that delivery recorded
                // no outcome or failed. Against a stored delivery the event allows the same name sent again, and joins nothing.
                var retrying = same.LastOrDefault(d => d.Names(entry.Path));
                var previous = IngestExtract.RetriedPathOf(entry.Detail);
                var earlier = previous is not null ? same.LastOrDefault(d => d.Waiting && d.Names(previous)) : null;
                if (retrying is not null && earlier is not null && retrying != earlier)
                {
                    earlier.Absorb(retrying, entry.Path);
                    same.Remove(retrying);
                    deliveries.Remove(retrying);
                }

                if ((earlier ?? retrying) is { } taken && entry.BatchId is { } claimed)
                {
                    taken.Apply(entry, committedItsBatch: false);
                    working[(entry.Feed, claimed)] = taken;
                }

                continue;
            }

            // The delivery whose file the path names; else (mart files, reports) the one that holds the batch; else the latest.
            var named = same.LastOrDefault(d => d.Names(entry.Path));
            var delivery = named
                ?? (entry.BatchId is { } batch
                    ? (working.GetValueOrDefault((entry.Feed, batch)) is { } current && same.Contains(current) ? current : same.LastOrDefault(d => d.Batch == batch))
                    : null)
                ?? same.LastOrDefault();
            if (delivery is null)
            {
                continue;
            }

            if (named is not null && entry.BatchId is { } attempt)
            {
                working[(entry.Feed, attempt)] = named;
            }

            var committedHere = entry.BatchId is { } b && committer.GetValueOrDefault((entry.Feed, b)) == delivery;
            delivery.Apply(entry, committedHere);
            if (entry.Kind == AuditKinds.Written && entry.BatchId is { } written && entry.Path == MartManifest.PathFor(entry.Feed, written))
            {
                committer[(entry.Feed, written)] = delivery;
            }

            if (delivery.Batch is { } held)
            {
                var holders = ofBatch.TryGetValue((entry.Feed, held), out var listed) ? listed : ofBatch[(entry.Feed, held)] = [];
                if (!holders.Contains(delivery))
                {
                    holders.Add(delivery);
                }
            }

            if (entry.Path is { } kept && entry.Kind is AuditKinds.Archived or AuditKinds.Quarantined)
            {
                keptAt[(entry.Kind == AuditKinds.Archived ? RawHolding : QuarantineHolding, kept)] = delivery;
            }
        }

        return [.. deliveries.Select(d => d.ToDelivery())];
    }

    // Of the waiting deliveries a new label may join, the one whose attempt made the last commit of its batch, else the latest.
    private static Building? Rejoined(List<Building> waiting, string feed, Dictionary<(string Feed, string Batch), Building> committer) =>
        waiting.LastOrDefault(d => d.Batch is { } batch && committer.GetValueOrDefault((feed, batch)) == d) ?? waiting.LastOrDefault();

    // What the retry events show, read before the events are read in order. The sequences of the received events that a
    // retry event of the same file (content and landing path) follows: every one since the previous retry event of that
    // file, as two workers may take the file up at once before either writes it. And the file names: each retry event
    // shows its path's label and the earlier path's it names are one name's, each label under the key version its
    // received event (or, for the earlier path, the retry event) records.
    private static (HashSet<long> Told, FileNames Names) ReadRetryEvents(IEnumerable<AuditEvent> ordered)
    {
        var receivedSince = new Dictionary<(string?, string?, string?, string?), List<long>>();
        var told = new HashSet<long>();
        var names = new FileNames();
        foreach (var e in ordered)
        {
            var entry = e.Entry;
            var file = (entry.Partner, entry.Feed, entry.FileSha256, entry.Path);
            if (entry.Kind == AuditKinds.Received)
            {
                (receivedSince.TryGetValue(file, out var listed) ? listed : receivedSince[file] = []).Add(e.Sequence);
                names.Labelled(entry.Partner, entry.Feed, LabelOf(entry.Path), entry.LabelKeyVersion);
            }
            else if (entry.Kind == AuditKinds.Retry)
            {
                if (receivedSince.Remove(file, out var received))
                {
                    told.UnionWith(received);
                }

                var earlier = LabelOf(IngestExtract.RetriedPathOf(entry.Detail));
                names.Labelled(entry.Partner, entry.Feed, earlier, IngestExtract.RetriedKeyVersionOf(entry.Detail));
                names.Join(entry.Partner, entry.Feed, earlier, LabelOf(entry.Path));
            }
        }

        return (told, names);
    }

    // The last part of a path: a landing path's is the file's label.
    private static string? LabelOf(string? path) => path is not null && path.LastIndexOf('/') is var slash and >= 0 ? path[(slash + 1)..] : null;

    // The partners' file names as the log shows them: labels one name has under different key versions, each with the
    // label it has under each version known. Under one version a name has one label, so two names with different labels
    // under one version are two files. Labels a retry event ties are one name's, and so is a label joined to a file by the
    // guess on content, once joined.
    private sealed class FileNames
    {
        private readonly Dictionary<(string Partner, string Feed, string Label), Name> _names = new();

        // One name: the one it was found to be, else its label under each key version known.
        private sealed class Name
        {
            public Name? SameAs { get; set; }

            public Dictionary<string, string> LabelUnder { get; set; } = new(StringComparer.Ordinal);
        }

        /// <summary>Records that <paramref name="label"/> was made under key <paramref name="version"/>.</summary>
        public void Labelled(string? partner, string? feed, string? label, string? version)
        {
            if (Of(partner, feed, label) is { } name && version is not null)
            {
                name.LabelUnder.TryAdd(version, label!);
            }
        }

        /// <summary>True unless the two labels' names have different labels under one key version: then they are two files.</summary>
        public bool MayBeOne(string? partner, string? feed, string? label, string? other) =>
            Of(partner, feed, label) is not { } one || Of(partner, feed, other) is not { } two || one == two
            || !one.LabelUnder.Any(l => two.LabelUnder.TryGetValue(l.Key, out var theirs) && theirs != l.Value);

        /// <summary>Takes the two labels as one name's.</summary>
        public void Join(string? partner, string? feed, string? label, string? other)
        {
            if (Of(partner, feed, label) is not { } one || Of(partner, feed, other) is not { } two || one == two)
            {
                return;
            }

            var (kept, joined) = one.LabelUnder.Count >= two.LabelUnder.Count ? (one, two) : (two, one);
            foreach (var (version, l) in joined.LabelUnder)
            {
                kept.LabelUnder.TryAdd(version, l);
            }

            joined.SameAs = kept;
            joined.LabelUnder = new(StringComparer.Ordinal);
        }

        // The name a label is found to be (null where the event names no partner, feed or label).
        private Name? Of(string? partner, string? feed, string? label)
        {
            if (partner is null || feed is null || label is null)
            {
                return null;
            }

            var name = _names.TryGetValue((partner, feed, label), out var known) ? known : _names[(partner, feed, label)] = new Name();
            var found = name;
            while (found.SameAs is { } next)
            {
                found = next;
            }

            // Shortens the way for the next look-up.
            while (name.SameAs is { } next && next != found)
            {
                name.SameAs = found;
                name = next;
            }

            return found;
        }
    }

    // The retention rules that end a delivery's copies, in the order the deliveries table lists them.
    private static readonly string[] Holdings = [EnforceRetention.RawRule, EnforceRetention.QuarantineRule, EnforceRetention.MartRule];

    private const int RawHolding = 0;
    private const int QuarantineHolding = 1;
    private const int MartHolding = 2;

    // A deletion: the end of a copy's retention (a delivery's archived or quarantined copy, or a mart file of the batch it
    // stored), or a batch manifest withdrawn by the attempt that committed it.
    private static void Deleted(
        AuditEntry entry,
        string path,
        Dictionary<(int Holding, string Path), Building> keptAt,
        Dictionary<(string Feed, string Batch), List<Building>> ofBatch,
        Dictionary<(string Feed, string Batch), Building> committer)
    {
        var feedFolder = path.StartsWith("secure/", StringComparison.Ordinal) && path.IndexOf('/', "secure/".Length) is var end and > 0 ? path["secure/".Length..end] : null;
        var batch = MartSchema.BatchOfFileName(path[(path.LastIndexOf('/') + 1)..]);
        switch (entry.Rule)
        {
            case EnforceRetention.RawRule:
                keptAt.GetValueOrDefault((RawHolding, path))?.Delete(RawHolding);
                break;
            case EnforceRetention.QuarantineRule:
                keptAt.GetValueOrDefault((QuarantineHolding, path))?.Delete(QuarantineHolding);
                break;
            case EnforceRetention.MartRule when feedFolder is not null:
                foreach (var d in ofBatch.GetValueOrDefault((feedFolder, batch)) ?? [])
                {
                    d.Delete(MartHolding);
                }

                break;
            case IngestExtract.TakenOverRule or IngestExtract.WithdrawnBeforeQuarantineRule when feedFolder is not null:
                // Only the version the attempt wrote is withdrawn: what it withdrew was the last commit of the batch.
                committer.Remove((feedFolder, entry.BatchId ?? batch));
                break;
        }
    }

    [GeneratedRegex(@"quarter=(\d{4}Q[1-4])/")]
    private static partial Regex QuarterFolder();

    [GeneratedRegex(@"key version (\S+) ")]
    private static partial Regex KeyVersionWords();

    private sealed class Building(string partner, string feed, AuditEvent received)
    {
        private readonly SortedSet<Quarter> _quarters = [];
        private readonly Dictionary<string, long> _rejected = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _withKey = new(StringComparer.Ordinal);
        private string _agreement = received.Entry.Agreement ?? "none";
        private string? _batch;
        private readonly bool[] _deleted = new bool[Holdings.Length];
        private string? _keyVersion;
        private long _read;
        private long _stored;
        private long _rowsRejected;

        // The file's labels, the last part of each landing path it was received at (a refused path has none): more than
        // one when the key turned between its attempts.
        private readonly List<string> _labels = LabelOf(received.Entry.Path) is { } label ? [label] : [];

        public string? Batch => _batch;

        /// <summary>True unless a label this delivery was received under and <paramref name="label"/> name two files by what the retry events show.</summary>
        /// <remarks>Checked against every label of this delivery, the guessed ones too, but a guess joins no names in the shared
        /// index: it holds for this content's row only, where another content's row sharing a file name is not bound by it.</remarks>
        public bool MayBeNamed(FileNames names, string? partner, string? feed, string? label) =>
            _labels.TrueForAll(l => names.MayBeOne(partner, feed, l, label));

        /// <summary>Records the end of retention of one of this delivery's copies (<paramref name="holding"/>, an index of Holdings); its batch's mart files count only when it stored them.</summary>
        public void Delete(int holding) => _deleted[holding] |= holding != MartHolding || DeliveryOutcomes.StoresRows(Outcome);

        public string Outcome { get; set; } = DeliveryOutcomes.Received;

        // What a file whose batch is committed is: stored, or partly rejected when the batch left rows out.
        private string StoredOutcome => _rowsRejected > 0 ? DeliveryOutcomes.PartlyRejected : DeliveryOutcomes.Stored;

        public string? Rule { get; set; }

        public int Attempts { get; set; } = 1;

        /// <summary>The sequence of the received event of its latest attempt: that attempt's label was made under the key current then.</summary>
        public long LastReceived { get; private set; } = received.Sequence;

        // The key versions its labels were made under, as their received events record them (none in older logs). Under one
        // version a file has one label, so a label of its content made under one of these versions, and not one of its own,
        // is another file's.
        private readonly HashSet<string> _labelKeys = received.Entry.LabelKeyVersion is { } version ? [version] : [];

        /// <summary>The label of its first received event: its file's name, with every label joined to it since (<see cref="FileNames"/>).</summary>
        public string? FirstLabel => LabelOf(received.Entry.Path);

        /// <summary>
        /// True when the label of <paramref name="receivedAgain"/> (a received event of the same content, at a path this
        /// delivery does not name) may be this file's under another key version: its version is none this delivery's labels
        /// were made under, by the versions the events record; or, where either side records none (a log from before they
        /// did), an audited pseudonymisation key rotation (at <paramref name="labelsTurnedAt"/>) lies since this delivery's
        /// latest attempt was received.
        /// </summary>
        public bool LabelledUnderAnotherKey(AuditEvent receivedAgain, long labelsTurnedAt) =>
            receivedAgain.Entry.LabelKeyVersion is { } now && _labelKeys.Count > 0
                ? !_labelKeys.Contains(now)
                : LastReceived < labelsTurnedAt;

        /// <summary>True when its last attempt failed or recorded no outcome: its file waits in landing, and a retry of it joins it.</summary>
        public bool Waiting => Outcome is DeliveryOutcomes.Failed or DeliveryOutcomes.Received or DeliveryOutcomes.InProgress;

        /// <summary>Takes the file received again (event <paramref name="again"/>, at <paramref name="path"/>) as another attempt.</summary>
        public void Received(AuditEvent again, string? path)
        {
            Attempts++;
            Outcome = DeliveryOutcomes.Received;
            LastReceived = again.Sequence;
            if (again.Entry.LabelKeyVersion is { } version)
            {
                _labelKeys.Add(version);
            }

            Relabel(path);
        }

        /// <summary>Takes the label of <paramref name="path"/>, where the file was received again, as one of its own.</summary>
        public void Relabel(string? path)
        {
            if (LabelOf(path) is { } label && !_labels.Contains(label))
            {
                _labels.Add(label);
            }
        }

        /// <summary>
        /// Takes <paramref name="retry"/>, a row begun for this file received again at <paramref name="path"/> (its label new)
        /// before its claim showed it was this file's retry, as this delivery's attempt.
        /// </summary>
        public void Absorb(Building retry, string? path)
        {
            Attempts += retry.Attempts;
            Outcome = DeliveryOutcomes.Received;
            LastReceived = Math.Max(LastReceived, retry.LastReceived);
            _labelKeys.UnionWith(retry._labelKeys);
            _agreement = retry._agreement;
            foreach (var label in retry._labels.Where(l => !_labels.Contains(l)))
            {
                _labels.Add(label);
            }

            Relabel(path);
        }

        /// <summary>
        /// True when <paramref name="path"/> is this file's: where it landed, its archived copy (a duplicate's with a
        /// time after it) or its quarantined copy (the content hash before it).
        /// </summary>
        public bool Names(string? path)
        {
            if (_labels.Count == 0 || path is null)
            {
                return false;
            }

            var name = path[(path.LastIndexOf('/') + 1)..];
            return _labels.Exists(label => name == label
                || name.EndsWith("-" + label, StringComparison.Ordinal)
                || name.StartsWith(label + ".duplicate-", StringComparison.Ordinal));
        }

        /// <summary>Applies one event of this file; <paramref name="committedItsBatch"/> when an attempt of it made the last commit of the event's batch.</summary>
        public void Apply(AuditEntry entry, bool committedItsBatch)
        {
            _agreement = entry.Agreement ?? _agreement;
            _batch = entry.BatchId ?? _batch;
            var counts = entry.Counts ?? new Dictionary<string, long>();
            switch (entry.Kind)
            {
                case AuditKinds.Validated when counts.ContainsKey("rows_read"):
                    _read = counts["rows_read"];
                    _rowsRejected = counts.GetValueOrDefault("rows_rejected");
                    break;
                case AuditKinds.RowsRejected:
                    foreach (var (rule, n) in counts)
                    {
                        _rejected[rule] = n;
                    }

                    break;
                case AuditKinds.Pseudonymised:
                    _stored = counts.GetValueOrDefault("rows");
                    foreach (var (name, n) in counts.Where(c => c.Key.StartsWith("rows_with_", StringComparison.Ordinal)))
                    {
                        _withKey[name["rows_with_".Length..]] = n;
                    }

                    _keyVersion = entry.Detail is { } detail && KeyVersionWords().Match(detail) is { Success: true } m ? m.Groups[1].Value : _keyVersion;
                    break;
                case AuditKinds.Written:
                    if (entry.Path is { } path && QuarterFolder().Match(path) is { Success: true } q)
                    {
                        _quarters.Add(Quarter.Parse(q.Groups[1].Value));
                    }

                    break;
                case AuditKinds.Duplicate when committedItsBatch:
                    // An attempt of this file committed the batch and was stopped before it recorded its outcome: the file
                    // taken up again is "already stored", by itself. Its rows are in the marts, stored by this delivery.
                    Outcome = StoredOutcome;
                    break;
                case AuditKinds.Archived when Outcome is DeliveryOutcomes.Received or DeliveryOutcomes.InProgress:
                    // In progress too: the same file picked up twice at once (the sweep beside the queue trigger) records
                    // the second attempt's wait, while the first stores it.
                    Outcome = StoredOutcome;
                    break;
                case AuditKinds.Duplicate:
                    (Outcome, Rule) = (DeliveryOutcomes.Duplicate, entry.Rule);
                    break;
                case AuditKinds.Poisoned:
                    (Outcome, Rule) = (DeliveryOutcomes.Poison, entry.Rule);
                    break;
                case AuditKinds.Quarantined:
                    Rule = entry.Rule;
                    Outcome = Outcome == DeliveryOutcomes.Poison ? Outcome : DeliveryOutcomes.Quarantined;
                    _read = counts.GetValueOrDefault("rows_read", _read);
                    _rowsRejected = counts.GetValueOrDefault("rows_rejected", _rowsRejected);
                    _stored = 0;
                    break;
                case AuditKinds.Failed when entry.Rule == IngestExtract.ArchiveFailedRule:
                    // The batch was stored and its receipt completed; only moving the landing copy failed (it is archived later).
                    Outcome = StoredOutcome;
                    break;
                case AuditKinds.Failed:
                    Outcome = DeliveryOutcomes.Failed;
                    Rule = entry.Rule;
                    break;
                case AuditKinds.InProgress when !DeliveryOutcomes.StoresRows(Outcome):
                    // A second pickup's wait can be audited just after the first attempt stored the file: it stays stored.
                    Outcome = DeliveryOutcomes.InProgress;
                    break;
                case AuditKinds.Superseded:
                    (Outcome, Rule) = (DeliveryOutcomes.Superseded, entry.Rule);
                    break;
            }
        }

        public Delivery ToDelivery() => new(
            partner,
            feed,
            _agreement,
            received.Time,
            Outcome,
            Rule,
            _read,
            DeliveryOutcomes.StoresRows(Outcome) ? _stored : 0,
            _rowsRejected,
            _rejected,

            // Like its stored rows: an attempt that pseudonymised rows and then failed, was replaced or was quarantined stored
            // none of them, so none of its rows count as stored rows with a key (the scorecard's linkage share).
            DeliveryOutcomes.StoresRows(Outcome) ? _withKey : new Dictionary<string, long>(StringComparer.Ordinal),
            _batch,
            _keyVersion,
            received.Entry.FileSha256,
            [.. _quarters],
            Attempts,
            received.Sequence)
        {
            RetentionDeleted = [.. Holdings.Where((_, i) => _deleted[i]).Select(rule => rule["retention.".Length..])],
        };
    }
}
