using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Marts;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Ingestion;

/// <summary>
/// The blob-trigger handler: takes one file landed at landing/{partner}/{feed}/{file} through the protocol check, the
/// receipt, parsing and validation, pseudonymisation and the atomic mart write, or into quarantine with a report.
/// Every step is audited. Both hosts (embedded runner, the Function App's IngestExtract) call <see cref="HandleAsync"/>.
/// </summary>
/// <remarks>
/// Every way out leaves the receipt, the file and the audit agreeing: the receipt completes only once the batch is
/// committed (its manifest written) or the file is in quarantine with its report, and a worker that dies holding a claim
/// is taken over (its process gone, or its lease not renewed). A delivery that loses the race for a file to another
/// worker ends as <see cref="IngestStatus.InProgress"/> or <see cref="IngestStatus.Ignored"/>, never as a failure.
/// </remarks>
public sealed class IngestExtract
{
    // Where an exception escaping a handling carries the key version the handling labelled its file under.
    private const string LabelKeyVersion = "datahub.label_key_version";

    private readonly HubContext _hub;
    private readonly ILogger _log;
    private readonly IProgress<IngestProgress>? _progress;
    private readonly ExtractFiling _filing;

    /// <summary>Uses the hub's store, audit, receipts, key, protocols and clock; tells <paramref name="progress"/>, when given, how far each file's rows have been read.</summary>
    public IngestExtract(HubContext hub, IProgress<IngestProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _log = hub.Logger("DataHub.Ingest");
        _progress = progress;
        _filing = new ExtractFiling(hub, _log);
    }

    /// <summary>Handles the object at <paramref name="landingPath"/>; with <paramref name="eTag"/>, only that version of it.</summary>
    public async Task<IngestOutcome> HandleAsync(string landingPath, string? eTag, CancellationToken cancellationToken)
    {
        var check = LandingPath.Check(landingPath);
        if (check.Path is { } named && !SafeNames.IsPlaced(named, _hub.Protocols))
        {
            check = Unplaced(named);
        }

        if (check.IsArchive)
        {
            return new IngestOutcome(IngestStatus.Ignored, landingPath, Message: "The hub's archive of processed files is not ingested.");
        }

        // The key comes first: without it no file can be named (labels are keyed), so nothing is moved or refused and
        // the file stays in landing for the next run.
        PseudonymisationKey key;
        try
        {
            key = await _hub.Keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KeyUnavailableException ex)
        {
            return await KeyUnavailableAsync(landingPath, check.Path, ex, cancellationToken).ConfigureAwait(false);
        }

        var labels = new FileLabels(key);
        try
        {
            return await HandleLabelledAsync(landingPath, eTag, check, key, labels, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or OutOfMemoryException))
        {
            // The host records what escapes (UnexpectedAsync) by the file's label: under this handling's key version, so
            // it names the file as this handling's events did, not by whatever key is current (or unreachable) by then.
            ex.Data[LabelKeyVersion] = key.Version;
            throw;
        }
    }

    // Everything the handler does once it can name the file, under one key version.
    private async Task<IngestOutcome> HandleLabelledAsync(string landingPath, string? eTag, LandingPathCheck check, PseudonymisationKey key, FileLabels labels, CancellationToken cancellationToken)
    {
        var encoding = check.Rule == LandingPath.NameEncodingRule;
        if (check.Path is null && !check.Movable && !encoding)
        {
            return await _filing.RefuseLeftInLandingAsync(landingPath, labels, check.Rule!, check.Message!, eTag, cancellationToken).ConfigureAwait(false);
        }

        StoredObject? found;
        try
        {
            found = await _hub.Store.GetAsync(landingPath, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectRefusedException)
        {
            return await RefuseLinkAsync(landingPath, labels, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectUnreachableException unreachable)
        {
            // Nested past the store's path limit, or out of the hub's user's reach: nothing can move it either, so it stays
            // in landing, reported once per version.
            return await RefuseUnreachableAsync(landingPath, labels, unreachable, eTag, cancellationToken).ConfigureAwait(false);
        }

        // A name with U+FFFD in it: when the store finds the object by that name (the name really holds the character, as a
        // blob's may), it is moved to quarantine like any name the hub does not take; when it cannot (the name was not
        // UTF-8), it cannot be moved either, and stays in landing, reported once per version.
        if (encoding)
        {
            if (found is null)
            {
                return await _filing.RefuseLeftInLandingAsync(landingPath, labels, check.Rule!, check.Message!, eTag, cancellationToken).ConfigureAwait(false);
            }

            check = LandingPath.ReplacementCharacterFound;
        }

        if (check.Path is null)
        {
            // As for a routed file: the version the hub was told of, or none. Gone, the hub's own handling moved it (partners
            // cannot delete); replaced, the new version is moved by its own event, never under this one's.
            if (eTag is not null && found is null)
            {
                return _filing.UnroutedGone(landingPath, labels);
            }

            if (eTag is not null && found is not null && !string.Equals(found.ETag, eTag, StringComparison.Ordinal))
            {
                return await _filing.UnroutedSupersededAsync(landingPath, labels, check).ConfigureAwait(false);
            }

            try
            {
                return await _filing.UnroutedAsync(landingPath, labels, check, found, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectUnreachableException unreachable) when (string.Equals(unreachable.Path, landingPath, StringComparison.Ordinal))
            {
                // Its name sends it to quarantine, but the hub's user may not read it (mode 000, another user's), so it cannot
                // be copied there: refused once per version and left in landing, as a routed file it may not read is. Only
                // the landing file's own: once it is copied, a failure elsewhere (its removal is audited by UnroutedAsync as
                // ingest.unrouted_not_removed) must not be taken for "nothing copied", leaving the copy unrecorded.
                return await RefuseUnreachableAsync(landingPath, labels, unreachable, eTag ?? found?.ETag, cancellationToken).ConfigureAwait(false);
            }
        }

        var path = check.Path;
        if (found is null)
        {
            return Gone(path, labels);
        }

        if (eTag is not null && !string.Equals(found.ETag, eTag, StringComparison.Ordinal))
        {
            return await SupersededAsync(path, labels, cancellationToken).ConfigureAwait(false);
        }

        LandedFile? opened;
        try
        {
            opened = await LandedFile.OpenAsync(_hub.Store, path, labels, found, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectRefusedException)
        {
            return await RefuseLinkAsync(landingPath, labels, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectUnreachableException unreachable)
        {
            // Listed and looked at, but the hub's user may not read it (a partner's upload left it mode 000, or another
            // user's): refused once per version and left in landing; once its permissions are fixed it is read as usual.
            return await RefuseUnreachableAsync(landingPath, labels, unreachable, eTag ?? found.ETag, cancellationToken).ConfigureAwait(false);
        }

        if (opened is null)
        {
            // Changed between its properties and its read: removed (by the hub's own handling of it), or replaced.
            StoredObject? now;
            try
            {
                now = await _hub.Store.GetAsync(landingPath, cancellationToken).ConfigureAwait(false);
            }
            catch (ObjectRefusedException)
            {
                return await RefuseLinkAsync(landingPath, labels, cancellationToken).ConfigureAwait(false);
            }

            return now is null ? Gone(path, labels) : await SupersededAsync(path, labels, cancellationToken).ConfigureAwait(false);
        }

        await using var file = opened;
        await _filing.AuditAsync(file, AuditKinds.Received, null, $"Received {file.Label}.", ExtractFiling.Counts(("bytes", found.Length)), namesLabelKey: true, cancellationToken: cancellationToken).ConfigureAwait(false);
        var decision = _hub.Protocols.Check(path.Partner, path.Feed, _hub.Today);
        file.Agreement = decision.AgreementId;
        await _filing.AuditAsync(file, AuditKinds.ProtocolDecision, decision.Rule, decision.Reason, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            return await _filing.QuarantineAsync(file, decision.Rule, decision.Reason, [], null, null, null, cancellationToken).ConfigureAwait(false);
        }

        var receiptKey = new ReceiptKey(path.Partner, path.Feed, file.Sha256);
        var owner = ClaimOwner.New();
        var claim = await _hub.Receipts.TryClaimAsync(receiptKey, new ClaimRequest(file.SafePath, owner, _hub.Time.GetUtcNow(), _hub.Ingest.ClaimLease, file.Labels.KeyVersion), cancellationToken).ConfigureAwait(false);
        switch (claim.Status)
        {
            case ClaimStatus.AlreadyCompleted:
                file.BatchId = claim.Receipt.BatchId;
                await AuditRetryAsync(file, claim.Receipt, cancellationToken).ConfigureAwait(false);
                return await DuplicateAsync(file, claim.Receipt, cancellationToken).ConfigureAwait(false);
            case ClaimStatus.HeldByAnother:
                await _filing.AuditAsync(file, AuditKinds.InProgress, "receipt.held", "Another worker is processing the same content.", cancellationToken: cancellationToken).ConfigureAwait(false);
                return file.Outcome(IngestStatus.InProgress, "receipt.held", "Another worker is processing the same content.");
        }

        file.BatchId = BatchIdFor(path.Partner, file.Sha256);
        var retryOf = claim.Previous is { State: ReceiptState.Processing or ReceiptState.Failed } previous && !string.Equals(previous.Owner?.Token, owner.Token, StringComparison.Ordinal)
            ? previous
            : null;
        return await ClaimedAsync(file, receiptKey, owner, claim.Receipt, retryOf, decision, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The outcome of an attempt that <paramref name="exception"/> ended before the handler could (a storage failure before
    /// the file was claimed, say): failed, naming the file and the exception only in their safe forms (the file's label
    /// withheld when the key cannot be had).
    /// </summary>
    public async Task<IngestOutcome> UnexpectedAsync(string landingPath, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(landingPath);
        ArgumentNullException.ThrowIfNull(exception);
        var labels = await LabelsOfAsync(exception, cancellationToken).ConfigureAwait(false);
        return new IngestOutcome(IngestStatus.Failed, landingPath, Rule: "ingest.failed", Message: labels.Describe(exception, landingPath, _hub.Protocols))
        {
            SafeLandingPath = labels.LandingPath(landingPath, _hub.Protocols),
        };
    }

    /// <summary>
    /// For a host's loop over landing that caught <paramref name="exception"/> escaping <see cref="HandleAsync"/>: audits a
    /// failed event under <paramref name="rule"/> naming the file by its safe path (an audit log that cannot take it is
    /// logged, never thrown, so the loop goes on to the next file) and returns the failed outcome.
    /// </summary>
    public async Task<IngestOutcome> AuditUnhandledAsync(string landingPath, Exception exception, string rule, string detail)
    {
        var outcome = await UnexpectedAsync(landingPath, exception, CancellationToken.None).ConfigureAwait(false) with { Rule = rule };
        try
        {
            await _hub.Audit.AppendAsync(new AuditEntry(AuditKinds.Failed, Agreement: "none", Path: outcome.SafeLandingPath, Rule: rule, Detail: detail), CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception auditFailure) when (auditFailure is not OutOfMemoryException)
        {
            _log.LogError("{Path}: the failure could not be audited ({ErrorType}).", outcome.SafeLandingPath, auditFailure.GetType().Name);
        }

        return outcome;
    }

    /// <summary>The rule of an attempt that stopped because another worker took its claim over (it committed nothing).</summary>
    public const string TakenOverRule = "receipt.taken_over";

    /// <summary>The rule for a failed attempt's poison quarantine that failed in turn (the attempt is counted once, by its own failed event).</summary>
    public const string PoisonFailedRule = "ingest.poison_failed";

    /// <summary>The rule for a batch manifest an earlier attempt committed, withdrawn before the content is quarantined.</summary>
    public const string WithdrawnBeforeQuarantineRule = "receipt.withdrawn_before_quarantine";

    /// <summary>The rule of a landed version replaced before the hub read it (audited as superseded; its content is not kept).</summary>
    public const string SupersededRule = "landing.superseded";

    /// <summary>The rule of a landed version changed while the hub was ingesting it (audited as superseded; nothing of the attempt was stored).</summary>
    public const string LandingChangedRule = "landing.changed";

    /// <summary>The rule of a misplaced file copied to quarantine that the store would not remove from landing (it is moved again later, to the same copy).</summary>
    public const string UnroutedNotRemovedRule = "ingest.unrouted_not_removed";

    /// <summary>The rule of a stored batch whose landing copy could not be archived (it is archived when seen again).</summary>
    public const string ArchiveFailedRule = "ingest.archive_failed";

    /// <summary>
    /// The retry event's sentence: the landing path (in its safe form) the earlier attempt the receipt records received this
    /// content at, labelled under key version <paramref name="keyVersion"/> (<see cref="RetriedPathOf"/>). When that attempt
    /// failed or stopped (<paramref name="earlierStored"/> false) the file is its retry; when it stored the content, the file
    /// is its retry only if it stopped before archiving its landing copy, and otherwise the same file sent again under the
    /// same name: ingest cannot tell which (the receipt does not record the archiving), the audit log can.
    /// </summary>
    public static string RetryDetail(string earlierSafePath, string keyVersion, bool earlierStored = false) =>
        earlierStored
            ? $"{StoredAt}{earlierSafePath}{RetryUnder}{keyVersion}{StoredEnd}"
            : $"{RetryAt}{earlierSafePath}{RetryUnder}{keyVersion}.";

    /// <summary>The earlier attempt's safe landing path a retry event names (<see cref="RetryDetail"/>); null when it names none.</summary>
    public static string? RetriedPathOf(string? detail)
    {
        var start = detail is null ? null
            : detail.StartsWith(RetryAt, StringComparison.Ordinal) ? RetryAt
            : detail.StartsWith(StoredAt, StringComparison.Ordinal) ? StoredAt
            : null;
        if (start is null)
        {
            return null;
        }

        var end = detail!.IndexOf(RetryUnder, start.Length, StringComparison.Ordinal);
        return end > start.Length ? detail[start.Length..end] : null;
    }

    /// <summary>The key version a retry event says the earlier attempt's label was made under (<see cref="RetryDetail"/>); null when it names none.</summary>
    public static string? RetriedKeyVersionOf(string? detail)
    {
        if (RetriedPathOf(detail) is null)
        {
            return null;
        }

        var start = detail!.IndexOf(RetryUnder, StringComparison.Ordinal) + RetryUnder.Length;
        var end = detail.EndsWith(StoredEnd, StringComparison.Ordinal) ? detail.Length - StoredEnd.Length
            : detail.EndsWith('.') ? detail.Length - 1
            : -1;
        return end > start ? detail[start..end] : null;
    }

    // The retry sentences' fixed parts, written and read back in one place each.
    private const string RetryAt = "Retry of the attempt that received this file at ";
    private const string StoredAt = "Received at the landing path of the attempt that stored this content, which received it at ";
    private const string RetryUnder = ", labelled under key version ";
    private const string StoredEnd = ": that attempt's retry if it stopped before archiving its landing copy, otherwise the same file sent again under the same name.";

    /// <summary>The batch id of a partner's content: deterministic, so a retried batch commits the same manifest path (its files are its attempt's own).</summary>
    public static string BatchIdFor(string partner, string sha256) => $"{partner}-{sha256[..16]}";

    // The claimed part: processed to an end (stored or quarantined, the receipt completed), or failed and counted.
    private async Task<IngestOutcome> ClaimedAsync(
        LandedFile file, ReceiptKey receiptKey, ClaimOwner owner, Receipt receipt, Receipt? retryOf, ProtocolDecision decision, PseudonymisationKey key, CancellationToken cancellationToken)
    {
        await using var heartbeat = ClaimHeartbeat.Start(_hub.Receipts, receiptKey, owner, _hub.Ingest.ClaimLease, _hub.Time, _log);
        using var work = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, heartbeat.Lost);
        Task Complete(string outcome) => _hub.Receipts.CompleteAsync(receiptKey, owner, outcome, file.BatchId!, CancellationToken.None);

        // An earlier attempt's commit is withdrawn before the file is recorded quarantined: that is the step a manifests
        // folder closed to the hub's user fails, and a quarantine that fails there is audited as a failed attempt only.
        var quarantine = new QuarantineSteps(() => WithdrawEarlierCommitAsync(file, receiptKey, owner), () => Complete(ReceiptRules.Quarantined));
        var poisoning = false;
        Task Fence(Func<CancellationToken, Task> step, CancellationToken token) => _hub.Receipts.RunFencedAsync(receiptKey, owner, _hub.Time.GetUtcNow(), step, token);
        try
        {
            // Under the heartbeat: looking up the earlier key (a vault read) or appending the event may take a while or fail,
            // and the claim must stay held and its outcome counted as for any other step.
            if (retryOf is not null)
            {
                await AuditRetryAsync(file, retryOf, work.Token).ConfigureAwait(false);
            }

            if (receipt.FailedAttempts >= _hub.Ingest.MaxFailedAttempts)
            {
                poisoning = true;
                return await PoisonAsync(file, receipt.LastError ?? "repeated failures", quarantine, work.Token).ConfigureAwait(false);
            }

            var pipeline = new ExtractPipeline(_hub, _filing, file, decision.Protocol!, decision.Agreement!, key, Complete, quarantine, Fence, MartSchema.AttemptOf(owner.Token), _progress);
            var outcome = await file.WithContentAsync(content => pipeline.RunAsync(content, work.Token), work.Token).ConfigureAwait(false);
            _log.LogInformation(
                "{Path}: {Status}, {Accepted} rows stored, {Rejected} rejected, batch {BatchId}, {Ms} ms.",
                file.SafePath,
                outcome.Status,
                outcome.RowsAccepted,
                outcome.RowsRejected,
                file.BatchId,
                (long)_hub.Time.GetElapsedTime(file.Started).TotalMilliseconds);
            return outcome;
        }
        catch (Exception ex) when (ex is ClaimLostException or BatchChangedException || (ex is OperationCanceledException && heartbeat.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested))
        {
            return await TakenOverAsync(file, receiptKey, owner).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _hub.Receipts.FailAsync(receiptKey, owner, "The attempt was cancelled.", counted: false, CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (LandingChangedException ex)
        {
            return await ChangedInLandingAsync(file, receiptKey, owner, ex).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or AuditChainBrokenException { Written: not null }))
        {
            // A log that refused an event after the work it records was done says so itself (its Written): it goes out as it
            // is, never audited as a failed attempt of work that was done.
            return await FailedAsync(file, receiptKey, owner, ex, quarantine, poisoning).ConfigureAwait(false);
        }
    }

    // This worker stalled past its lease and another took the claim over, or another writer changed the batch under this
    // one's commit: the file is in the other's hands (or the next delivery's), and nothing this attempt leaves is visible
    // (its commit was refused, or withdrawn when its completion was). If it still holds the claim, it lets it go uncounted,
    // so the next delivery of the file need not wait out a lease.
    private async Task<IngestOutcome> TakenOverAsync(LandedFile file, ReceiptKey receiptKey, ClaimOwner owner)
    {
        await _hub.Receipts.FailAsync(receiptKey, owner, "Another writer changed the batch during this attempt's commit.", counted: false, CancellationToken.None).ConfigureAwait(false);
        _log.LogWarning("{Path}: another worker took over the claim or changed the batch; this attempt stops.", file.SafePath);
        return file.Outcome(IngestStatus.InProgress, TakenOverRule, "Another worker took over the claim on this content.");
    }

    // The partner rewrote, replaced or appended to the file while it was read: this attempt stored nothing (the read of a
    // changed version fails before any batch is committed) and is not a failure of the hub. The version it had hashed is
    // gone, so it is recorded; the version now in landing is handled on its own.
    private async Task<IngestOutcome> ChangedInLandingAsync(LandedFile file, ReceiptKey receiptKey, ClaimOwner owner, LandingChangedException ex)
    {
        await _hub.Receipts.FailAsync(receiptKey, owner, ex.Message, counted: false, CancellationToken.None).ConfigureAwait(false);
        file.BatchId = null;
        var message = $"{file.Label} was replaced or changed in landing while the hub was reading it: nothing of this attempt was stored, and the version it had read is not kept. The version now in landing is handled on its own.";
        await _filing.AuditAsync(file, AuditKinds.Superseded, LandingChangedRule, message, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        _log.LogWarning("{Path}: the file changed in landing while it was read; nothing stored, audited ({Rule}).", file.SafePath, LandingChangedRule);
        return file.Outcome(IngestStatus.Ignored, LandingChangedRule, message);
    }

    // A failed attempt, counted; the one that reaches the limit quarantines the file as poison (the same attempt, so not
    // counted again if that quarantine fails too).
    private async Task<IngestOutcome> FailedAsync(LandedFile file, ReceiptKey receiptKey, ClaimOwner owner, Exception ex, QuarantineSteps quarantine, bool poisoning)
    {
        // Only the type and message, with the file's name replaced by its label (I/O messages quote paths); parsing and
        // validation messages never carry values.
        var error = file.Labels.Describe(ex, file.Path.Path, _hub.Protocols);
        var receipt = await _hub.Receipts.FailAsync(receiptKey, owner, error, counted: true, CancellationToken.None).ConfigureAwait(false);
        await _filing.AuditAsync(file, AuditKinds.Failed, "ingest.failed", error, ExtractFiling.Counts(("failed_attempts", receipt.FailedAttempts)), cancellationToken: CancellationToken.None).ConfigureAwait(false);
        _log.LogWarning("{Path}: attempt {Attempt} failed ({ErrorType}).", file.SafePath, receipt.FailedAttempts, ex.GetType().Name);
        if (receipt.FailedAttempts < _hub.Ingest.MaxFailedAttempts || poisoning)
        {
            return file.Outcome(IngestStatus.Failed, "ingest.failed", error);
        }

        var again = await _hub.Receipts.TryClaimAsync(receiptKey, new ClaimRequest(file.SafePath, owner, _hub.Time.GetUtcNow(), _hub.Ingest.ClaimLease, file.Labels.KeyVersion), CancellationToken.None).ConfigureAwait(false);
        if (again.Status != ClaimStatus.Claimed)
        {
            return file.Outcome(IngestStatus.Failed, "ingest.failed", error);
        }

        try
        {
            return await PoisonAsync(file, error, quarantine, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception taken) when (taken is ClaimLostException or BatchChangedException)
        {
            return await TakenOverAsync(file, receiptKey, owner).ConfigureAwait(false);
        }
        catch (LandingChangedException changed)
        {
            return await ChangedInLandingAsync(file, receiptKey, owner, changed).ConfigureAwait(false);
        }
        catch (Exception poisonFailure) when (poisonFailure is not (OutOfMemoryException or OperationCanceledException or AuditChainBrokenException { Written: not null }))
        {
            // The poison quarantine failed (a manifests folder closed to the hub's user) in the attempt already counted
            // above: its own event says so, the claim let go uncounted and the file left in landing for a later attempt.
            // The receipt keeps the attempt's own error, which the poison report of a later attempt quotes.
            var failure = file.Labels.Describe(poisonFailure, file.Path.Path, _hub.Protocols);
            var poisonError = $"The poison quarantine failed: {failure}";
            var held = await _hub.Receipts.FailAsync(receiptKey, owner, error, counted: false, CancellationToken.None).ConfigureAwait(false);
            await _filing.AuditAsync(file, AuditKinds.Failed, PoisonFailedRule, poisonError, ExtractFiling.Counts(("failed_attempts", held.FailedAttempts)), cancellationToken: CancellationToken.None).ConfigureAwait(false);
            _log.LogWarning("{Path}: the poison quarantine of attempt {Attempt} failed ({ErrorType}).", file.SafePath, held.FailedAttempts, poisonFailure.GetType().Name);
            return file.Outcome(IngestStatus.Failed, PoisonFailedRule, poisonError);
        }
    }

    // When the receipt's attempt was at this same landing path, labelled under another key version (the key turned since,
    // and the file's label with it), records the earlier safe path: under one key the same path has the same label, which
    // the deliveries table tells a retry by; under two, only this tells it for certain from another file of the same
    // content. An attempt that failed or stopped leaves its file in landing, so this is its retry. One that stored the
    // content may have stopped before archiving its file (this is then its retry) or archived it (this is the same name
    // sent again): the receipt cannot say which, so the event says both, and the deliveries table joins the file to that
    // delivery only if it failed or recorded no outcome (one whose completion's reply was lost is audited failed).
    private async Task AuditRetryAsync(LandedFile file, Receipt earlier, CancellationToken cancellationToken)
    {
        if (earlier.SourcePath is not { } earlierPath || earlier.LabelKeyVersion is not { } version
            || string.Equals(earlierPath, file.SafePath, StringComparison.Ordinal) || string.Equals(version, file.Labels.KeyVersion, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            var then = new FileLabels(await _hub.Keys.GetVersionAsync(version, cancellationToken).ConfigureAwait(false));
            if (!string.Equals(then.LandingPath(file.Path), earlierPath, StringComparison.Ordinal))
            {
                return;
            }
        }
        catch (KeyUnavailableException)
        {
            // The earlier key cannot be had: the file cannot be shown to be the same, so it is not said to be (the deliveries
            // table then joins it by the key versions the received events record, or in older logs an audited rotation).
            return;
        }

        await _filing.AuditAsync(file, AuditKinds.Retry, null, RetryDetail(earlierPath, version, earlier.State == ReceiptState.Completed), cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    // An earlier attempt at this content may have committed its batch and died before completing the receipt (a takeover
    // follows): if this attempt quarantines the content (as poison, or under an agreement that changed), those rows must not
    // stay visible beside a quarantined receipt. The manifest is withdrawn inside the fence, and only the version seen.
    private async Task WithdrawEarlierCommitAsync(LandedFile file, ReceiptKey key, ClaimOwner owner)
    {
        var path = MartManifest.PathFor(file.Path.Feed, file.BatchId!);
        var catalog = new MartCatalog(_hub.Store);

        // Through the catalogue: a manifests folder the hub's user cannot open fails the attempt naming that folder, never
        // with an unnamed error taken for the landing file's.
        if (await catalog.ManifestOfAsync(file.Path.Feed, file.BatchId!, CancellationToken.None).ConfigureAwait(false) is not { } earlier)
        {
            return;
        }

        try
        {
            await _hub.Receipts.RunFencedAsync(key, owner, _hub.Time.GetUtcNow(), ct => catalog.WithdrawAsync(file.Path.Feed, file.BatchId!, ct, earlier.ETag), CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectChangedException ex)
        {
            throw new BatchChangedException(file.Path.Feed, file.BatchId!, ex);
        }

        await _filing.AuditAsync(file, AuditKinds.Deleted, WithdrawnBeforeQuarantineRule, "Batch manifest withdrawn: an earlier attempt committed it and stopped before completing its receipt, before its content is quarantined.", path: path, cancellationToken: CancellationToken.None).ConfigureAwait(false);
    }

    private async Task<IngestOutcome> DuplicateAsync(LandedFile file, Receipt receipt, CancellationToken cancellationToken)
    {
        // Written before the copy is moved, so it says only what is decided; the archived event records the move itself.
        var stored = $"The same content was already stored as batch {receipt.BatchId}; nothing is stored again";
        await _filing.AuditAsync(file, AuditKinds.Duplicate, "receipt.duplicate", stored + ", and this copy goes to that batch's raw archive.", cancellationToken: cancellationToken).ConfigureAwait(false);

        // The copy is identical to what was processed, so it joins that batch's archive rather than being deleted.
        var batch = receipt.BatchId ?? BatchIdFor(file.Path.Partner, file.Sha256);
        var destination = ExtractFiling.ArchivePathFor(file, batch) + ".duplicate-" + _hub.Time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture);
        try
        {
            await _filing.ArchiveAsync(file, destination, "receipt.duplicate", "Duplicate delivery kept in the raw archive.", cancellationToken).ConfigureAwait(false);
        }
        catch (LandingChangedException)
        {
            // Its content is stored already (that is what makes it a duplicate); the copy changed before it was archived,
            // and the version now in landing is handled on its own.
            _log.LogInformation("{Path}: the duplicate copy changed in landing before it was archived; its content is stored as batch {BatchId}.", file.SafePath, batch);
            return file.Outcome(IngestStatus.Duplicate, "receipt.duplicate", stored + "; this copy changed in landing before it could be archived, and the version now there is handled on its own.");
        }

        return file.Outcome(IngestStatus.Duplicate, "receipt.duplicate", stored + ", and this copy is kept in that batch's raw archive.");
    }

    private async Task<IngestOutcome> PoisonAsync(LandedFile file, string error, QuarantineSteps quarantine, CancellationToken cancellationToken)
    {
        // Recorded poisoned just before its quarantined event, once all that can fail before it has been done: a poison
        // quarantine that fails (a manifests folder closed to the hub's user) is audited as a failed attempt, never poisoned.
        var poisoned = quarantine with
        {
            Announce = () => _filing.AuditAsync(file, AuditKinds.Poisoned, "ingest.poison", $"Quarantined after {_hub.Ingest.MaxFailedAttempts} failed attempts.", cancellationToken: cancellationToken),
        };
        return await _filing.QuarantineAsync(
            file, "ingest.poison", $"Processing failed {_hub.Ingest.MaxFailedAttempts} times; last error: {error}", [new Feeds.FileError("ingest.poison", error)], null, null, poisoned, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IngestOutcome> RefuseLinkAsync(string landingPath, FileLabels labels, CancellationToken cancellationToken) =>
        await _filing.RefuseAsync(
            landingPath,
            labels,
            LandingPath.LinkRule,
            "The landing entry is a symbolic link (or lies under one), not a file: it was not read, copied or moved, and the link is removed. Send the file itself.",
            removeLink: true,
            cancellationToken).ConfigureAwait(false);

    // A folder no agreement or contract vouches for is handled as a file in the wrong place: its name is never repeated
    // (not in the audit, a report, a log or a quarantine path), since the sender chose it and it may name a person. The
    // protocols decide which refusal it is (unknown partner or feed) and word it.
    private LandingPathCheck Unplaced(LandingPath path)
    {
        var refusal = _hub.Protocols.Check(path.Partner, path.Feed, _hub.Today);
        return LandingPathCheck.Refused(refusal.Rule, refusal.Reason, movable: true);
    }

    // The labels an escaped exception's handling named its file by (its key version, which a key store keeps readable once
    // it has given it); the current key's, or withheld, when the handling had none yet or that version cannot be had.
    private async Task<FileLabels> LabelsOfAsync(Exception exception, CancellationToken cancellationToken)
    {
        if (exception.Data[LabelKeyVersion] is string version)
        {
            try
            {
                return new FileLabels(await _hub.Keys.GetVersionAsync(version, cancellationToken).ConfigureAwait(false));
            }
            catch (KeyUnavailableException)
            {
                // Fall through: the current key's labels, or withheld.
            }
        }

        return await FileLabels.CurrentOrWithheldAsync(_hub.Keys, cancellationToken).ConfigureAwait(false);
    }

    // Nothing at the path: the hub's own handling of this version archived or quarantined it (partners cannot delete).
    private IngestOutcome Gone(LandingPath path, FileLabels labels)
    {
        var safe = labels.LandingPath(path);
        _log.LogInformation("Skipped {Path}: the object is gone (handled already).", safe);
        return new IngestOutcome(IngestStatus.Ignored, path.Path, path.Partner, path.Feed, Message: "The file is no longer in landing: it was handled already (archived or quarantined, perhaps by another worker that took it over).") { SafeLandingPath = safe };
    }

    // Another version is at the path than the one the hub was told of: the partner replaced it before the hub read it.
    // Its content cannot be read any more (the store keeps no earlier versions), so it is recorded by its safe path.
    private async Task<IngestOutcome> SupersededAsync(LandingPath path, FileLabels labels, CancellationToken cancellationToken)
    {
        var safe = labels.LandingPath(path);
        var label = labels.Label(path.FileName);
        var agreement = _hub.Protocols.Check(path.Partner, path.Feed, _hub.Today).AgreementId;
        var message = $"The version of {label} the hub was told of was replaced in landing before the hub could read it: nothing of it was stored, and its content is not kept. The version now in landing is handled on its own.";
        await _hub.Audit.AppendAsync(new AuditEntry(AuditKinds.Superseded, path.Partner, path.Feed, agreement, Path: safe, Rule: SupersededRule, Detail: message), cancellationToken).ConfigureAwait(false);
        _log.LogWarning("{Path}: the version the hub was told of was replaced before it was read; audited ({Rule}).", safe, SupersededRule);
        return new IngestOutcome(IngestStatus.Ignored, path.Path, path.Partner, path.Feed, agreement, Rule: SupersededRule, Message: message) { SafeLandingPath = safe };
    }

    // What the store cannot reach by its name is refused by its label under the rule for why, once per version, and left in
    // landing. A denial says what the store would have granted (a folder's bits, or on Azure the role and the service's answer).
    private Task<IngestOutcome> RefuseUnreachableAsync(string landingPath, FileLabels labels, ObjectUnreachableException unreachable, string? version, CancellationToken cancellationToken) =>
        unreachable.Cause == UnreachableCause.AccessDenied
            ? _filing.RefuseLeftInLandingAsync(landingPath, labels, LandingPath.UnreadableRule, LandingPath.UnreadableMessage + (unreachable.Remedy is { } remedy ? $" To fix it, {remedy}." : string.Empty), version, cancellationToken)
            : _filing.RefuseLeftInLandingAsync(landingPath, labels, LandingPath.TooDeepRule, LandingPath.TooDeepMessage, version, cancellationToken);

    // No key: nothing is read, moved or refused (the file cannot be named but by a keyed label), and the failure is
    // audited with the file's label withheld; the file stays in landing for the next run.
    private async Task<IngestOutcome> KeyUnavailableAsync(string landingPath, LandingPath? path, KeyUnavailableException ex, CancellationToken cancellationToken)
    {
        var safe = FileLabels.Withheld.LandingPath(landingPath, _hub.Protocols);
        var placed = path is not null && SafeNames.IsPlaced(path, _hub.Protocols);
        var agreement = placed ? _hub.Protocols.Check(path!.Partner, path.Feed, _hub.Today).AgreementId : "none";
        await _hub.Audit.AppendAsync(new AuditEntry(AuditKinds.Failed, placed ? path!.Partner : null, placed ? path!.Feed : null, agreement, Path: safe, Rule: "key.unavailable", Detail: ex.Message), cancellationToken).ConfigureAwait(false);
        _log.LogError("{Path}: the pseudonymisation key is unavailable; the file stays in landing.", safe);
        return new IngestOutcome(IngestStatus.Failed, landingPath, placed ? path!.Partner : null, placed ? path!.Feed : null, agreement, Rule: "key.unavailable", Message: ex.Message) { SafeLandingPath = safe };
    }
}
