using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Protocols;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Where a landed file ends up, other than the mart: the raw archive, quarantine with its report, or a refusal report;
/// and the audit events that say so. Every path it derives is built from safe names (the file's label, <see cref="FileLabels"/>), so it is
/// short whatever the file is called and carries nothing identifying.
/// </summary>
internal sealed class ExtractFiling(HubContext hub, ILogger log)
{
    /// <summary>Where a processed landing file is kept until its raw retention ends: under its batch, by its label.</summary>
    public static string ArchivePathFor(LandedFile file, string batchId) =>
        $"{LandingPath.Container}/{LandingPath.ProcessedFolder}/{file.Path.Partner}/{file.Path.Feed}/{batchId}/{file.Label}";

    /// <summary>Where a rejected file is kept: its content hash and label, so two files never collide and a re-delivery lands on its earlier copy.</summary>
    public static string QuarantinePathFor(LandedFile file) =>
        $"quarantine/{file.Path.Partner}/{file.Path.Feed}/{file.Sha256[..16]}-{file.Label}";

    /// <summary>Archives the file's content and removes it from landing; the archive path.</summary>
    public async Task<string> ArchiveAsync(LandedFile file, string destination, string? rule, string detail, CancellationToken cancellationToken)
    {
        var copy = await file.WriteCopyAsync(destination, cancellationToken).ConfigureAwait(false);
        await using (copy.ConfigureAwait(false))
        {
            return await ArchiveAsync(file, copy, rule, detail, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Archives the file from its <paramref name="copy"/> written beforehand (<see cref="LandedFile.WriteCopyAsync"/>):
    /// commits it, which makes it visible in the archive, and removes the file from landing; the archive path.
    /// </summary>
    public async Task<string> ArchiveAsync(LandedFile file, IObjectWrite copy, string? rule, string detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(copy);
        await copy.CommitAsync(cancellationToken).ConfigureAwait(false);
        var removed = await file.RemoveFromLandingAsync(cancellationToken).ConfigureAwait(false);
        await AuditAsync(file, AuditKinds.Archived, rule, removed ? detail : detail + " (the landing copy had already been replaced or removed)", path: copy.Path, cancellationToken: cancellationToken).ConfigureAwait(false);
        return copy.Path;
    }

    /// <summary>Keeps the file in quarantine with its report, audits it and removes it from landing; a claimed file's <paramref name="claimed"/> steps around its event.</summary>
    public async Task<IngestOutcome> QuarantineAsync(
        LandedFile file, string rule, string message, IReadOnlyList<FileError> fileErrors, RowErrorTally? rowErrors, FeedAgreement? agreement, QuarantineSteps? claimed, CancellationToken cancellationToken)
    {
        if (claimed is not null)
        {
            // What can fail on the hub's side (an earlier attempt's manifest looked for and withdrawn, in a manifests folder
            // the hub's user may not open) comes before the copy, its report and its event: such an attempt is audited
            // failed, never quarantined, and writes nothing to quarantine. It needs neither; a death after it leads to a
            // retry (a death between the copy and its event leaves a copy the next attempt writes again).
            await claimed.Prepare().ConfigureAwait(false);
        }

        var destination = QuarantinePathFor(file);
        var report = Report(file, "quarantined", rule, message, fileErrors, rowErrors, agreement);
        await file.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
        var reportPath = await WriteReportAsync(destination, report, cancellationToken).ConfigureAwait(false);
        if (claimed?.Announce is { } announce)
        {
            // Just before the quarantined event, once all that can fail before it is done (a poison quarantine's poisoned).
            await announce().ConfigureAwait(false);
        }

        await AuditAsync(file, AuditKinds.Quarantined, rule, message, Counts(("rows_read", file.Read), ("rows_rejected", file.Rejected)), path: destination, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (claimed is not null)
        {
            // The receipt completes after its event (a receipt completed as quarantined has it in the log) and before
            // landing is cleared.
            await claimed.Complete().ConfigureAwait(false);
        }

        await file.RemoveFromLandingAsync(cancellationToken).ConfigureAwait(false);
        log.LogInformation("{Path}: quarantined ({Rule}) at {Destination}.", file.SafePath, rule, destination);
        return file.Outcome(IngestStatus.Quarantined, rule, message) with { ReportPath = reportPath, QuarantinePath = destination };
    }

    /// <summary>
    /// Refuses a landing path unread: a report under quarantine/_refused and an audit event. A link is removed (the link
    /// alone, never what it points to), so it is refused once; nothing else is touched.
    /// </summary>
    public Task<IngestOutcome> RefuseAsync(string landingPath, FileLabels labels, string rule, string message, bool removeLink, CancellationToken cancellationToken) =>
        RefuseAsync(landingPath, labels.LandingPath(landingPath, hub.Protocols), labels, rule, message, removeLink, null, cancellationToken);

    /// <summary>
    /// Refuses a landing entry the hub cannot move, which so stays in landing, once for each version of it: the report is
    /// named by a tag of the version listed and the entry's safe path (its partner and feed folders included), and a later
    /// sweep or restart that finds that report records nothing again (the entry was reported; an operator or the partner
    /// must rename or remove it). A new upload under the name, or the name in another folder, is refused and reported
    /// afresh. Without a version, refused as any path is.
    /// </summary>
    public async Task<IngestOutcome> RefuseLeftInLandingAsync(string landingPath, FileLabels labels, string rule, string message, string? version, CancellationToken cancellationToken)
    {
        var safe = labels.LandingPath(landingPath, hub.Protocols);
        if (version is null)
        {
            return await RefuseAsync(landingPath, safe, labels, rule, message, removeLink: false, null, cancellationToken).ConfigureAwait(false);
        }

        var named = $"v{VersionTag(version, safe)}-{labels.PathLabel(landingPath, hub.Protocols)}";
        var reported = $"quarantine/_refused/{named}.report.json";
        if (await hub.Store.GetAsync(reported, cancellationToken).ConfigureAwait(false) is not null)
        {
            log.LogInformation("{Path} ({Rule}) was refused and reported already ({Report}); it stays in landing until it is renamed or removed.", safe, rule, reported);
            return new IngestOutcome(IngestStatus.Ignored, landingPath, Rule: rule, Message: $"Refused and reported already ({reported}); it stays in landing until it is renamed or removed.", ReportPath: reported) { SafeLandingPath = safe };
        }

        return await RefuseAsync(landingPath, safe, labels, rule, message, removeLink: false, named, cancellationToken).ConfigureAwait(false);
    }

    // A short tag of one version of one landing entry, to name what the hub keeps of that version so that a second attempt
    // at it finds (or overwrites) the first's. Only safe forms are hashed (the version is the store's, the path's name a
    // keyed label): the tag gives away nothing.
    private static string VersionTag(string version, string safe) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{version}\n{safe}")).AsSpan(0, 8));

    // The report is named {time}-{label}, or {named} when the caller names it (by version, path and label, to be found
    // again); safe is the path as messages give it, worked out once by the caller.
    private async Task<IngestOutcome> RefuseAsync(string landingPath, string safe, FileLabels labels, string rule, string message, bool removeLink, string? named, CancellationToken cancellationToken)
    {
        var now = hub.Time.GetUtcNow();
        if (removeLink)
        {
            // The link is removed before the event: a log that cannot take the event refuses first.
            await hub.Audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await hub.Store.DeleteAsync(landingPath, null, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectRefusedException)
            {
                // The link is a folder above the path: it is left as it is (listings never reach through it).
            }
        }

        var report = new IngestReport
        {
            Outcome = "refused",
            Source = safe,
            DecidedAt = now,
            Rule = rule,
            Message = message,
            FileErrors = [new FileError(rule, message)],
        };
        // The event before the report: a report is what tells a restart this entry was refused already, so a crash between
        // the two must leave the event (reported again at worst), never the report without it.
        var refusal = new AuditEntry(AuditKinds.PathRefused, Agreement: "none", Path: safe, Rule: rule, Detail: message);
        if (removeLink)
        {
            await AuditRefusal.AfterWritingAsync($"The link at {safe} was removed from landing, but its refusal was not recorded.", () => hub.Audit.AppendAsync(refusal, cancellationToken)).ConfigureAwait(false);
        }
        else
        {
            await hub.Audit.AppendAsync(refusal, cancellationToken).ConfigureAwait(false);
        }

        var reportPath = await WriteReportAsync(named is null ? $"quarantine/_refused/{now:yyyyMMddTHHmmssfff}-{labels.PathLabel(landingPath, hub.Protocols)}" : $"quarantine/_refused/{named}", report, cancellationToken).ConfigureAwait(false);
        log.LogWarning("Refused {Path} ({Rule}).", safe, rule);
        return new IngestOutcome(IngestStatus.Refused, landingPath, Rule: rule, Message: message, ReportPath: reportPath) { SafeLandingPath = safe };
    }

    /// <summary>
    /// Moves a file dropped at the wrong place in landing to quarantine/_unrouted with a report, so the partner sees it was
    /// not processed: the version <paramref name="found"/>, never another. One replaced before it could be read is audited
    /// as superseded and nothing is moved; one gone before it could be read (another of the hub's handlers moved it) is left
    /// to that handler's event; one replaced or gone after it was copied is kept, and the event says so.
    /// </summary>
    public async Task<IngestOutcome> UnroutedAsync(string landingPath, FileLabels labels, LandingPathCheck check, StoredObject? found, CancellationToken cancellationToken)
    {
        if (found is null)
        {
            return await RefuseAsync(landingPath, labels, check.Rule!, check.Message!, removeLink: false, cancellationToken).ConfigureAwait(false);
        }

        // The move comes before its event: a log that cannot take the event refuses before the file leaves landing.
        await hub.Audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
        var now = hub.Time.GetUtcNow();
        var safe = labels.LandingPath(landingPath, hub.Protocols);
        // Named by the version (as a file left in landing is reported): an attempt that copied it and could not remove it
        // from landing leaves a copy the next attempt overwrites, so copies never pile up unrecorded.
        var moved = $"quarantine/_unrouted/v{VersionTag(found.ETag, safe)}-{labels.PathLabel(landingPath, hub.Protocols)}";

        // Copied from a read pinned to the version found (as a routed file's is, LandedFile): a partner's new version
        // written meanwhile is never moved under this version's event, nor removed unread.
        try
        {
            var content = await hub.Store.OpenReadAsync(landingPath, found.ETag, cancellationToken).ConfigureAwait(false);
            await using (content.ConfigureAwait(false))
            {
                await hub.Store.WriteAsync(moved, (output, ct) => content.CopyToAsync(output, ct), WriteOptions.Default, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is ObjectChangedException { Path: var changed } && string.Equals(changed, landingPath, StringComparison.Ordinal)
                                   || ex is ObjectNotFoundException { Path: var gone } && string.Equals(gone, landingPath, StringComparison.Ordinal))
        {
            // Changed or missing (Azure reports a pinned read of a missing blob as changed): which one decides. Partners cannot
            // delete from landing, so nothing there means another of the hub's handlers moved this version, and records it.
            var current = await hub.Store.GetAsync(landingPath, cancellationToken).ConfigureAwait(false);
            return current is null ? UnroutedGone(landingPath, labels) : await UnroutedSupersededAsync(landingPath, safe, check).ConfigureAwait(false);
        }

        // Removed: only the version found. False when it was gone (another of the hub's handlers moved it meanwhile),
        // changed when the partner replaced it: either way the copy kept is of the version found, and is recorded here.
        bool removed;
        var left = "it was removed from landing meanwhile by another of the hub's handlers, which records its own move";
        try
        {
            removed = await hub.Store.DeleteAsync(landingPath, found.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectChangedException)
        {
            removed = false;
            left = "it was replaced in landing before the hub removed it, and the version now there stays in landing, handled on its own";
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            return await NotRemovedAsync(landingPath, safe, moved, check, ex).ConfigureAwait(false);
        }

        var message = removed
            ? check.Message!
            : $"{check.Message} The version moved is the one the hub found; {left}.";
        var report = new IngestReport { Outcome = "quarantined", Source = safe, DecidedAt = now, Rule = check.Rule!, Message = message, FileErrors = [new FileError(check.Rule!, check.Message!)] };
        var reportPath = await WriteReportAsync(moved, report, cancellationToken).ConfigureAwait(false);
        await AuditRefusal.AfterWritingAsync(
            removed
                ? $"{safe} was moved out of landing to {moved} with its report, but the move was not recorded."
                : $"{safe} was copied to {moved} with its report ({left}), but the copy was not recorded.",
            () => hub.Audit.AppendAsync(new AuditEntry(AuditKinds.PathRefused, Agreement: "none", Path: moved, Rule: check.Rule, Detail: message), cancellationToken)).ConfigureAwait(false);
        log.LogWarning("Moved {Path} to {Destination} ({Rule}).", safe, moved, check.Rule);
        return new IngestOutcome(IngestStatus.Quarantined, landingPath, Rule: check.Rule, Message: message, ReportPath: reportPath, QuarantinePath: moved) { SafeLandingPath = safe };
    }

    // Copied to quarantine, but the store would not remove it from landing (a permission or storage fault): the file stays
    // there and is moved on a later attempt, to the same copy, and that move is what records it as refused. Audited failed
    // (no partner: the ledger counts no delivery for it), saying where the copy is, so no copy is ever unrecorded.
    private async Task<IngestOutcome> NotRemovedAsync(string landingPath, string safe, string moved, LandingPathCheck check, Exception ex)
    {
        var message = $"{safe} (a path the hub does not take: {check.Rule}) was copied to {moved}, but could not be removed from landing ({ex.GetType().Name}): it stays in landing, and a later attempt moves it again to the same copy and records the move.";
        await hub.Audit.AppendAsync(new AuditEntry(AuditKinds.Failed, Agreement: "none", Path: safe, Rule: IngestExtract.UnroutedNotRemovedRule, Detail: message), CancellationToken.None).ConfigureAwait(false);
        log.LogWarning("{Path}: copied to {Destination} but not removed from landing ({ErrorType}); tried again later.", safe, moved, ex.GetType().Name);
        return new IngestOutcome(IngestStatus.Failed, landingPath, Rule: IngestExtract.UnroutedNotRemovedRule, Message: message, QuarantinePath: moved) { SafeLandingPath = safe };
    }

    /// <summary>
    /// Records that the version of a file at a path the hub does not take, the one the hub was told of or found, was replaced
    /// in landing before it could be moved: nothing of it was moved and its content is not kept. It is recorded by its safe
    /// path alone; the version now there is handled on its own.
    /// </summary>
    public Task<IngestOutcome> UnroutedSupersededAsync(string landingPath, FileLabels labels, LandingPathCheck check) =>
        UnroutedSupersededAsync(landingPath, labels.LandingPath(landingPath, hub.Protocols), check);

    /// <summary>
    /// Nothing at a path the hub does not take where the version it was told of was: the hub's own handling of it moved it
    /// to quarantine (partners cannot delete from landing), and that handling records it. Nothing is recorded again.
    /// </summary>
    public IngestOutcome UnroutedGone(string landingPath, FileLabels labels)
    {
        var safe = labels.LandingPath(landingPath, hub.Protocols);
        log.LogInformation("Skipped {Path}: the object is gone (handled already).", safe);
        return new IngestOutcome(IngestStatus.Ignored, landingPath, Message: "The file is no longer in landing: it was handled already (moved to quarantine by another of the hub's handlers).") { SafeLandingPath = safe };
    }

    private async Task<IngestOutcome> UnroutedSupersededAsync(string landingPath, string safe, LandingPathCheck check)
    {
        var message = $"The version of {safe} the hub was told of or found (a path it does not take: {check.Rule}) was replaced in landing before it could be moved to quarantine: nothing of it was moved, and its content is not kept. The version now in landing is handled on its own.";
        await hub.Audit.AppendAsync(new AuditEntry(AuditKinds.Superseded, Agreement: "none", Path: safe, Rule: IngestExtract.SupersededRule, Detail: message), CancellationToken.None).ConfigureAwait(false);
        log.LogWarning("{Path}: the version found was replaced before it could be moved to quarantine; audited ({Rule}).", safe, IngestExtract.SupersededRule);
        return new IngestOutcome(IngestStatus.Ignored, landingPath, Rule: IngestExtract.SupersededRule, Message: message) { SafeLandingPath = safe };
    }

    /// <summary>The report about a file.</summary>
    public IngestReport Report(LandedFile file, string outcome, string rule, string message, IReadOnlyList<FileError> fileErrors, RowErrorTally? rowErrors, FeedAgreement? agreement) => new()
    {
        Outcome = outcome,
        Source = file.SafePath,
        Partner = file.Path.Partner,
        Feed = file.Path.Feed,
        Agreement = file.Agreement,
        Sha256 = file.Sha256,
        BatchId = file.BatchId,
        DecidedAt = hub.Time.GetUtcNow(),
        Rule = rule,
        Message = message,
        RowsRead = file.Read,
        RowsAccepted = outcome == "quarantined" ? 0 : file.Accepted,
        RowsRejected = file.Rejected,
        ToleratedRowErrorRate = agreement?.ToleratedRowErrorRate,
        FileErrors = fileErrors,
        RowErrors = rowErrors?.Listed ?? [],
        RowErrorsByRule = rowErrors?.ByRule ?? new Dictionary<string, long>(),
        RowErrorsTruncated = rowErrors?.Truncated ?? false,
    };

    /// <summary>Writes a report as {basePath}.report.csv and {basePath}.report.json; returns the JSON's path.</summary>
    public async Task<string> WriteReportAsync(string basePath, IngestReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        await hub.Store.WriteAsync(basePath + ".report.csv", report.WriteCsvAsync, WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        await hub.Store.WriteAsync(basePath + ".report.json", report.WriteJsonAsync, WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        return basePath + ".report.json";
    }

    /// <summary>
    /// Records a step for the file: its safe path (or <paramref name="path"/>), hash, agreement and batch; with
    /// <paramref name="namesLabelKey"/>, also the key version its label was made under (the received event's).
    /// </summary>
    public Task AuditAsync(
        LandedFile file,
        string kind,
        string? rule,
        string? detail,
        IReadOnlyDictionary<string, long>? counts = null,
        long? durationMs = null,
        string? path = null,
        bool namesLabelKey = false,
        CancellationToken cancellationToken = default) =>
        hub.Audit.AppendAsync(
            new AuditEntry(kind, file.Path.Partner, file.Path.Feed, file.Agreement, file.Sha256, path ?? file.SafePath, file.BatchId, rule, detail, counts, durationMs ?? (long)hub.Time.GetElapsedTime(file.Started).TotalMilliseconds)
            {
                LabelKeyVersion = namesLabelKey ? file.Labels.KeyVersion : null,
            },
            cancellationToken);

    /// <summary>Named counts for an audit event.</summary>
    public static Dictionary<string, long> Counts(params (string Name, long Value)[] counts) =>
        counts.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);
}

/// <summary>
/// The steps a claimed file's quarantine takes beside its copy and report: <paramref name="Prepare"/> before them (an earlier
/// attempt's commit of its batch withdrawn), <paramref name="Announce"/> just before its quarantined event (a poison
/// quarantine's poisoned), <paramref name="Complete"/> (its receipt) after it.
/// </summary>
internal sealed record QuarantineSteps(Func<Task> Prepare, Func<Task> Complete, Func<Task>? Announce = null);
