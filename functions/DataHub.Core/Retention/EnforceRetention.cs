using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Protocols;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Retention;

/// <summary>
/// Deletes what the agreements say must go, and audits each deletion (contract C7):
/// processed raw files (landing/_processed/{partner}/{feed}/…) and quarantined files (quarantine/{partner}/{feed}/…)
/// older than the feed's raw retention, and mart files (secure/{feed}/…) older than the feed's mart retention.
/// Objects no agreement covers (quarantine/_unrouted, quarantine/_refused, the rollup's person-level tables under
/// secure/kpi, files of a partner or feed since removed from the protocols) are kept no longer than the shortest raw
/// (for raw and quarantined files) or mart (for secure objects) retention of any agreement: without an agreement, the
/// strictest one applies. Unprocessed landing files and published aggregates are never touched.
/// A committed mart batch goes as a whole once its manifest is past retention: the manifest first (the batch is invisible
/// at once), then its files. A published rollup's person-level tables (secure/kpi/v={run}/) go, whatever their age, once
/// a batch its manifest lists as an input is no longer held: they are that batch's personal data too.
/// Each run first cleans up interrupted work (<see cref="InterruptedWork"/>).
/// </summary>
public sealed class EnforceRetention
{
    /// <summary>The audit rule for a processed raw file past its retention.</summary>
    public const string RawRule = "retention.raw";

    /// <summary>The audit rule for a quarantined file past its retention.</summary>
    public const string QuarantineRule = "retention.quarantine";

    /// <summary>The audit rule for a mart file past its retention.</summary>
    public const string MartRule = "retention.mart";

    /// <summary>The audit rule for a rollup's person-level table deleted, whatever its age, because a batch it was computed from is no longer held.</summary>
    public const string DerivedTablesRule = "retention.derived_tables";

    private const string PartnerMetadata = "datahub.partner";
    private readonly HubContext _hub;
    private readonly ILogger _logger;

    /// <summary>Creates the handler over the hub's store, audit, protocols and clock.</summary>
    public EnforceRetention(HubContext hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _logger = hub.Logger("DataHub.Retention");
    }

    /// <summary>Examines every raw, quarantined and mart object and deletes those past retention.</summary>
    /// <exception cref="AuditChainBrokenException">The audit log's end is broken: refused before anything is cleared or deleted, or (damaged during the run) with <see cref="AuditChainBrokenException.Written"/> saying what was deleted.</exception>
    public async Task<RetentionOutcome> RunAsync(CancellationToken cancellationToken)
    {
        // A broken log end refuses the run before it clears or deletes anything: a deletion is made before its event, and
        // on such a log the first event would be refused only after the first deletion.
        await _hub.Audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
        var made = new RetentionProgress();
        try
        {
            return await RunCheckedAsync(made, cancellationToken).ConfigureAwait(false);
        }
        catch (AuditChainBrokenException ex) when (made.Any)
        {
            // Damaged while the run went on: what it had already deleted (and recorded) is said, by count.
            throw ex.After(made.Describe());
        }
    }

    private async Task<RetentionOutcome> RunCheckedAsync(RetentionProgress made, CancellationToken cancellationToken)
    {
        var cleanup = await new InterruptedWork(_hub).RunAsync(cancellationToken).ConfigureAwait(false);
        made.Cleanup = cleanup;

        // Retention runs without the key (nothing it deletes waits on it): an object it must name by label is then named
        // with the label withheld.
        var labels = await FileLabels.CurrentOrWithheldAsync(_hub.Keys, cancellationToken).ConfigureAwait(false);

        // A run killed between a delete and its event left the deletion in its record: its event is recorded first.
        var journal = new DeletionJournal(_hub, _logger);
        foreach (var settled in await journal.SettleAsync(labels, cancellationToken).ConfigureAwait(false))
        {
            _logger.LogWarning("Retention recorded the deletion of {Path}, which an interrupted run made but had not recorded.", settled);
            made.Settled++;
        }

        journal.After = (await _hub.Audit.GetHeadAsync(cancellationToken).ConfigureAwait(false))?.Sequence ?? 0;
        var now = _hub.Time.GetUtcNow();
        var deleted = made.Deleted;
        var examined = 0;
        var unattributed = 0;
        var agreements = _hub.Protocols.Partners.SelectMany(p => p.Feeds.Values).ToList();
        if (agreements.Count == 0)
        {
            // No agreements loaded means no retention can be known: deleting on a misconfiguration would be irreversible.
            _logger.LogWarning("Retention found no agreements; nothing was deleted");
            return new RetentionOutcome(0, [], 0) { Cleanup = cleanup };
        }

        var shortestRaw = agreements.Min(f => f.RawRetentionDays);
        var shortestMart = agreements.Min(f => f.MartRetentionDays);
        Zone[] zones =
        [
            new($"{LandingPath.Container}/{LandingPath.ProcessedFolder}/", RawRule, parts => parts.Length >= 5 ? Find(parts[2], parts[3]) : null, a => a.RawRetentionDays, shortestRaw),
            new("quarantine/", QuarantineRule, parts => parts.Length >= 4 ? Find(parts[1], parts[2]) : null, a => a.RawRetentionDays, shortestRaw),
            new("secure/", MartRule, null, a => a.MartRetentionDays, shortestMart),
        ];

        var archived = new ArchivedPaths(_hub.Audit);
        var batches = await ApplyToBatchesAsync(now, shortestMart, labels, journal, deleted, cancellationToken).ConfigureAwait(false);
        var batched = batches.Paths;
        examined += batched.Count;
        var versions = new KpiVersions(_hub.Store);
        var goneInputs = new Dictionary<string, RunInputBatch?>(StringComparer.Ordinal);
        foreach (var zone in zones)
        {
            await foreach (var item in _hub.Store.ListAsync(zone.Prefix, cancellationToken).ConfigureAwait(false))
            {
                // Batch files go with their manifest (above); an uncommitted batch's files are clean-up's.
                if (batched.Contains(item.Path) || (zone.Rule == MartRule && item.Metadata.ContainsKey(MartMetadata.BatchId)))
                {
                    continue;
                }

                examined++;

                // A rollup's person and family values are personal data of every batch the run read: once one of those
                // batches is no longer held (past its retention, or withdrawn), they go too, however young they are.
                if (zone.Rule == MartRule && versions.SecureRunOf(item.Path) is { } run)
                {
                    if (!goneInputs.TryGetValue(run, out var gone))
                    {
                        gone = goneInputs[run] = await GoneInputAsync(versions, run, batches, cancellationToken).ConfigureAwait(false);
                    }

                    if (gone is not null)
                    {
                        var source = gone.Partner is { } partner ? Find(partner, gone.Feed) : null;
                        await ApplyAsync(
                            item,
                            source?.Protocol,
                            source?.Agreement,
                            source?.Agreement.MartRetentionDays ?? shortestMart,
                            DerivedTablesRule,
                            now,
                            labels,
                            journal,
                            deleted,
                            cancellationToken,
                            goneBatch: gone.BatchId,
                            because: $"Person-level values of KPI run {run}, computed from batch {gone.BatchId} of {gone.Feed}, which the marts no longer hold (past its mart retention, or withdrawn).").ConfigureAwait(false);
                        continue;
                    }
                }

                var parts = item.Path.Split('/');
                var rule = zone.Attribute is not null ? zone.Attribute(parts) : AttributeMart(item, parts);
                unattributed += rule is null ? 1 : 0;
                var days = rule is null ? zone.Shortest : zone.Days(rule.Agreement);
                await ApplyAsync(item, rule?.Protocol, rule?.Agreement, days, zone.Rule, now, labels, journal, deleted, cancellationToken, archived: rule is null ? archived : null).ConfigureAwait(false);
            }
        }

        await journal.EndAsync(cancellationToken).ConfigureAwait(false);
        _logger.LogInformation("Retention examined {Examined} objects and deleted {Deleted}", examined, deleted.Count);
        return new RetentionOutcome(examined, deleted, unattributed) { Cleanup = cleanup };
    }

    // Committed batches, judged by their manifest's commit time; returns every path that belongs to one (examined here),
    // the batches still held after it, and the feeds whose batches could all be read.
    private async Task<JudgedBatches> ApplyToBatchesAsync(DateTimeOffset now, int shortestMart, FileLabels labels, DeletionJournal journal, List<RetentionDeletion> deleted, CancellationToken cancellationToken)
    {
        var judged = new JudgedBatches(new HashSet<string>(StringComparer.Ordinal), [], new HashSet<string>(StringComparer.Ordinal));
        var paths = judged.Paths;
        var catalog = new MartCatalog(_hub.Store);
        await foreach (var (feed, state) in catalog.ScanFeedsAsync(
            (feed, ex) => _logger.LogError("{Feed}: a batch manifest is damaged ({Path}); none of the feed's batches was judged for retention.", feed, ex.Path),
            cancellationToken).ConfigureAwait(false))
        {
            judged.Feeds.Add(feed);
            foreach (var (manifest, stored) in state.Batches)
            {
                paths.Add(stored.Path);
                paths.UnionWith(manifest.Files.Select(f => f.Path));
                var rule = Find(manifest.Partner, feed);
                var days = rule?.Agreement.MartRetentionDays ?? shortestMart;
                var batchItem = stored with { LastModified = manifest.CommittedAt };

                // A batch goes whole: an expired one with a file the hub's user cannot reach (its folder's permissions
                // changed) keeps its manifest, said by label, rather than be withdrawn and leave that file behind unlisted.
                var files = (now - manifest.CommittedAt).TotalDays > days ? await ReachFilesAsync(manifest, labels, cancellationToken).ConfigureAwait(false) : [];
                var before = deleted.Count;
                if (files is not null)
                {
                    await ApplyAsync(batchItem, rule?.Protocol, rule?.Agreement, days, MartRule, now, labels, journal, deleted, cancellationToken).ConfigureAwait(false);
                }

                if (deleted.Count == before)
                {
                    judged.Held.Add((feed, manifest.BatchId));
                    continue;
                }

                // The manifest has gone, so no reader sees the batch; its files follow.
                foreach (var item in files!)
                {
                    await ApplyAsync(item with { LastModified = manifest.CommittedAt }, rule?.Protocol, rule?.Agreement, days, MartRule, now, labels, journal, deleted, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        return judged;
    }

    // The files of an expired batch that are there, each looked up before its manifest is withdrawn; null (each one the hub
    // cannot reach warned of by its label) when any of them cannot be reached, so none can be deleted.
    private async Task<List<StoredObject>?> ReachFilesAsync(MartManifest manifest, FileLabels labels, CancellationToken cancellationToken)
    {
        var files = new List<StoredObject>();
        var reached = true;
        foreach (var file in manifest.Files)
        {
            try
            {
                if (await _hub.Store.GetAsync(file.Path, cancellationToken).ConfigureAwait(false) is { } item)
                {
                    files.Add(item);
                }
            }
            catch (ObjectUnreachableException unreachable)
            {
                WarnUnreachable(file.Path, labels, unreachable);
                reached = false;
            }
        }

        return reached ? files : null;
    }

    // The first batch a published run read that is no longer held; null when it still holds every one (or the run has no
    // manifest: a run still writing, or abandoned, which the rollup clears; or an unreadable one, which is logged). A batch
    // of a feed whose manifests could not be read is taken as held: nothing is deleted on a guess. A batch the pass did not
    // see is looked for again now: one committed after the pass, and read by a rollup that published since, is held.
    private async Task<RunInputBatch?> GoneInputAsync(KpiVersions versions, string run, JudgedBatches batches, CancellationToken cancellationToken)
    {
        var inputs = await versions.InputBatchesAsync(
            run,
            cancellationToken,
            path => _logger.LogError("Retention cannot read {Path}: the person-level tables of KPI run {Run} were kept, whatever batches they were computed from; check the manifest.", path, run))
            .ConfigureAwait(false);
        foreach (var input in inputs ?? [])
        {
            if (batches.Feeds.Contains(input.Feed)
                && !batches.Held.Contains((input.Feed, input.BatchId))
                && await new MartCatalog(_hub.Store).ManifestOfAsync(input.Feed, input.BatchId, cancellationToken).ConfigureAwait(false) is null)
            {
                return input;
            }
        }

        return null;
    }

    private Attribution? Find(string partner, string feed) =>
        _hub.Protocols.Find(partner) is { } protocol && protocol.Feeds.TryGetValue(feed, out var agreement) ? new Attribution(protocol, agreement) : null;

    // A mart names its partner in its metadata (or, failing that, in its batch id) and its feed in its folder.
    private Attribution? AttributeMart(StoredObject item, string[] parts)
    {
        var partner = item.Metadata.TryGetValue(PartnerMetadata, out var p) ? p : PartnerFromBatch(parts[^1]);
        return parts.Length >= 3 && partner is not null ? Find(partner, parts[1]) : null;
    }

    private sealed record Attribution(PartnerProtocol Protocol, FeedAgreement Agreement);

    /// <summary>The raw archive paths the audit records the hub archiving a file at, read from the log once, when first needed.</summary>
    private sealed class ArchivedPaths(IAuditLog audit)
    {
        private HashSet<string>? _paths;

        public async Task<IReadOnlySet<string>> ReadAsync(CancellationToken cancellationToken)
        {
            if (_paths is null)
            {
                // Kept only once read whole: a read cut short is not taken for the log. A log with a damaged line names no
                // path here: the objects are then recorded by their labels, as for any object the hub did not archive.
                var paths = new HashSet<string>(StringComparer.Ordinal);
                try
                {
                    await foreach (var e in audit.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (e.Entry.Kind == AuditKinds.Archived && e.Entry.Path is { } path)
                        {
                            paths.Add(path);
                        }
                    }
                }
                catch (FormatException)
                {
                    // An AuditLineException locally; a plain FormatException from an Azure table row.
                    paths.Clear();
                }

                _paths = paths;
            }

            return _paths;
        }
    }

    /// <summary>What the batch pass saw: every path of a committed batch, the batches still held after it, and the feeds it could read.</summary>
    private sealed record JudgedBatches(HashSet<string> Paths, HashSet<(string Feed, string BatchId)> Held, HashSet<string> Feeds);

    /// <summary>One area of the store: where it is, its audit rule, how an object is attributed to an agreement, and which retention applies.</summary>
    private sealed record Zone(string Prefix, string Rule, Func<string[], Attribution?>? Attribute, Func<FeedAgreement, int> Days, int Shortest);

    // Batch ids are "{partner}-{16 hex}" (IngestExtract.BatchIdFor); the file name is "{batchId}.{attempt}.parquet", or
    // "{batchId}.parquet" before attempts had names.
    private string? PartnerFromBatch(string fileName)
    {
        var batch = MartSchema.BatchOfFileName(fileName);
        return _hub.Protocols.Partners
            .Select(p => p.Partner)
            .Where(p => batch.StartsWith(p + "-", StringComparison.Ordinal))
            .OrderByDescending(p => p.Length)
            .FirstOrDefault();
    }

    private async Task ApplyAsync(
        StoredObject item, PartnerProtocol? protocol, FeedAgreement? agreement, int days, string rule, DateTimeOffset now, FileLabels labels, DeletionJournal journal, List<RetentionDeletion> deleted, CancellationToken cancellationToken, string? because = null, string? goneBatch = null, ArchivedPaths? archived = null)
    {
        var age = now - item.LastModified;

        // Counted in days, not as a TimeSpan of them: an agreement may keep data longer than a TimeSpan can hold (a
        // "keep indefinitely" 99999999), and that must not stop every other agreement's deletions.
        if (because is null && age.TotalDays <= days)
        {
            return;
        }

        // Partners can write anywhere in landing, _processed/ too: an object there not of the hub's making is named by its
        // label only (its path may name a person), in the audit, the outcome and any failure.
        var path = labels.StoredPath(item.Path, _hub.Protocols);
        if (archived is not null && !string.Equals(path, item.Path, StringComparison.Ordinal)
            && string.Equals(labels.StoredPath(item.Path, _hub.Protocols, new HashSet<string>(StringComparer.Ordinal) { item.Path }), item.Path, StringComparison.Ordinal))
        {
            // No agreement covers it, and it has the shape of the hub's archive entry: one the hub archived (a partner's whose
            // protocol was removed) is still named as it is, so the deliveries table matches its deletion to the copy by
            // path. The audit is read only for such an entry.
            path = labels.StoredPath(item.Path, _hub.Protocols, await archived.ReadAsync(cancellationToken).ConfigureAwait(false));
        }

        var ageDays = (long)age.TotalDays;
        var detail = because ?? (agreement is null
            ? $"Deleted after {ageDays} days: no agreement covers it, so the shortest {(rule == MartRule ? "mart" : "raw")} retention of any agreement ({days} days) applies."
            : $"Deleted after {ageDays} days under agreement {protocol!.AgreementId}: its {(rule == MartRule ? "mart" : "raw")} retention for {agreement.Feed} is {days} days.");
        var entry = new AuditEntry(
            AuditKinds.Deleted,
            Partner: protocol?.Partner,
            Feed: agreement?.Feed,
            Agreement: protocol?.AgreementId ?? "none",
            Path: path,
            BatchId: goneBatch,
            Rule: rule,
            Detail: detail,
            Counts: new Dictionary<string, long> { ["bytes"] = item.Length, ["age_days"] = ageDays, ["retention_days"] = days });

        // A path the store cannot reach (folders nested past the OS path limit, in any container) is settled before a
        // pending record is written: one holding a path named as it is (secure/, quarantine/, the hub's own archive entries)
        // would keep the chain's names. Only such a path is looked up; a labelled one is recorded by its label, and its
        // delete says so. A link is refused unread by the lookup, and its delete removes the link itself, as for any link.
        if (string.Equals(path, item.Path, StringComparison.Ordinal))
        {
            try
            {
                await _hub.Store.GetAsync(item.Path, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectUnreachableException unreachable)
            {
                WarnUnreachable(item.Path, labels, unreachable);
                return;
            }
            catch (ObjectRefusedException)
            {
                // A partner's link named as the hub's archive entries are: deleted below like any other entry.
            }
        }

        // Kept until the event is written: a run killed between the delete and its event leaves it for the next run to record.
        await journal.BeginAsync(new PendingDeletion(item.ETag, journal.After, entry, LabelKeyVersion: labels.KeyVersion), cancellationToken).ConfigureAwait(false);

        // Only the version examined: an object rewritten since it was listed is new and keeps its place.
        bool gone;
        try
        {
            gone = await _hub.Store.DeleteAsync(item.Path, item.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectChangedException)
        {
            await journal.EndAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (ObjectUnreachableException unreachable)
        {
            // Nested past the store's path limit since the look above, or out of the hub's user's reach (or labelled, so not
            // looked up): nothing can delete it by its name. Said, by label, so it is not kept past its retention unseen,
            // and the rest of the run goes on.
            await journal.EndAsync(cancellationToken).ConfigureAwait(false);
            WarnUnreachable(item.Path, labels, unreachable);
            return;
        }
        catch (UnauthorizedAccessException)
        {
            // Reachable but not removable (its folder lets the hub's user read but not write, r-x): for a batch's file this
            // comes after its manifest was withdrawn, so the run must not stop there with the rest of the batch undone. Said
            // by label (never the store's message: it quotes the raw path); clean-up of interrupted writes takes what is left
            // once access is given back.
            await journal.EndAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogWarning("Retention cannot delete {Path}: the hub's user may not remove it (its folder's permissions deny it); give the hub's user write access to its folder, or remove it by hand (docs/runbook.md, \"A folder or file the hub cannot open\").", path);
            return;
        }
        catch (IOException) when (!string.Equals(path, item.Path, StringComparison.Ordinal))
        {
            // Not the store's message nor its exception: both quote the raw path.
            throw new IOException($"Retention could not delete {path} (IOException).");
        }
        catch (ArgumentException)
        {
            // A name the store lists but cannot address (a partner's "a\b.csv"); the hub never writes one. It is left for an
            // operator, and the rest of the run goes on.
            await journal.EndAsync(cancellationToken).ConfigureAwait(false);
            _logger.LogWarning("Retention cannot delete {Path}: its name is not one an object path may have; remove it by hand.", path);
            return;
        }

        if (!gone)
        {
            await journal.EndAsync(cancellationToken).ConfigureAwait(false);

            // Listed but not there by the name listed: a name that is not UTF-8 (read with U+FFFD), which nothing can open or
            // delete by that name. Said, by label, so it is not kept past its retention unseen.
            if (item.Path.Contains(LandingPath.UnreadableNameCharacter, StringComparison.Ordinal))
            {
                _logger.LogWarning("Retention cannot delete {Path}: its name is not valid UTF-8; remove it by hand.", path);
            }

            return;
        }

        // Refused here, the deletion is made and its record stays in the journal: the next run (on a repaired log) records it.
        await AuditRefusal.AfterWritingAsync(
            $"Retention deleted {path} but did not record its deletion (its pending record stays under {DeletionJournal.Folder}; the next run records it).",
            async () => journal.After = (await _hub.Audit.AppendAsync(entry, cancellationToken).ConfigureAwait(false)).Sequence).ConfigureAwait(false);
        deleted.Add(new RetentionDeletion(path, rule, protocol?.AgreementId ?? "none", days, ageDays) { Because = because });
    }

    // Named by its label in whatever container (never as it is: the chain's names are a partner's, or anyone's, not the hub's),
    // so it is not kept past its retention unseen, and the run goes on.
    private void WarnUnreachable(string itemPath, FileLabels labels, ObjectUnreachableException unreachable)
    {
        var label = labels.ObjectPath(itemPath, _hub.Protocols);
        if (unreachable.Cause == UnreachableCause.AccessDenied)
        {
            // The fix in the store's own terms (a folder's permissions, a storage role), which names no path.
            _logger.LogWarning("Retention cannot delete {Path}: the hub's user cannot open it (access to it is denied); {Remedy}, or remove it by hand (docs/runbook.md, \"A folder or file the hub cannot open\").", label, unreachable.Remedy ?? "give the hub's user access to it");
            return;
        }

        _logger.LogWarning("Retention cannot delete {Path}: it is nested deeper than the file system lets a path reach; remove it by hand.", label);
    }
}

/// <summary>What a retention run has changed so far, said by count when the audit log refuses it part-way.</summary>
internal sealed class RetentionProgress
{
    public CleanupOutcome Cleanup { get; set; } = new(0, []);

    public int Settled { get; set; }

    public List<RetentionDeletion> Deleted { get; } = [];

    public bool Any => Cleanup.TemporaryFiles + Cleanup.UncommittedMartFiles.Count + Settled + Deleted.Count > 0;

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"Before that, retention had removed {Cleanup.TemporaryFiles} temporary files and {Cleanup.UncommittedMartFiles.Count} mart files of uncommitted batches, recorded {Settled} deletions an interrupted run had made, and deleted and recorded {Deleted.Count} objects past retention.");
}

/// <summary>What one retention run did.</summary>
/// <param name="Examined">Objects looked at (raw archive, quarantine, marts).</param>
/// <param name="Deleted">What was deleted and why.</param>
/// <param name="Unattributed">Objects no agreement covers (held to the shortest retention of any agreement).</param>
public sealed record RetentionOutcome(int Examined, IReadOnlyList<RetentionDeletion> Deleted, int Unattributed)
{
    /// <summary>What the clean-up of interrupted work at the start of the run removed.</summary>
    public CleanupOutcome Cleanup { get; init; } = new(0, []);

    /// <summary>One line for logs and the command line.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture, $"examined {Examined} objects, deleted {Deleted.Count} ({Unattributed} covered by no agreement)")
        + (Cleanup.TemporaryFiles + Cleanup.UncommittedMartFiles.Count > 0
            ? string.Create(CultureInfo.InvariantCulture, $"; cleaned up {Cleanup.TemporaryFiles} temporary files and {Cleanup.UncommittedMartFiles.Count} mart files of uncommitted batches")
            : string.Empty);
}

/// <summary>One deletion: the object, the rule, the agreement, its retention and the object's age.</summary>
public sealed record RetentionDeletion(string Path, string Rule, string Agreement, int RetentionDays, long AgeDays)
{
    /// <summary>Why it went when its own age did not make it due (a rollup's person values computed from a batch no longer held); null otherwise.</summary>
    public string? Because { get; init; }
}
