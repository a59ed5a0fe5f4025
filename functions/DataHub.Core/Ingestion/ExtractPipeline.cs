using System.Globalization;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Marts;
using DataHub.Core.Parsing;
using DataHub.Core.Protocols;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Receipts;
using DataHub.Core.Retention;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Ingestion;

/// <summary>
/// One claimed file's way through: parse and validate against the contract, check the header against the agreement,
/// pseudonymise, write the batch and commit it; or quarantine the file with its report. The receipt is completed
/// (<c>complete</c>) only once the batch is committed and its row-error report written, or the file is in quarantine
/// (<c>quarantine</c>, which also withdraws an earlier attempt's commit of the batch before the file is recorded quarantined).
/// The batch's files are named for the claim's attempt (<c>attempt</c>, see <see cref="MartSchema.AttemptOf"/>).
/// </summary>
internal sealed class ExtractPipeline(
    HubContext hub,
    ExtractFiling filing,
    LandedFile file,
    PartnerProtocol protocol,
    FeedAgreement agreement,
    PseudonymisationKey key,
    Func<string, Task> complete,
    QuarantineSteps quarantine,
    Func<Func<CancellationToken, Task>, CancellationToken, Task> fence,
    string attempt,
    IProgress<IngestProgress>? progress)
{
    public async Task<IngestOutcome> RunAsync(Stream content, CancellationToken cancellationToken)
    {
        var path = file.Path;
        var contract = FeedCatalog.WithCohorts(FeedCatalog.Find(path.Feed)!, hub.Kpis.Cohorts.Select(c => c.Name));
        var parseStarted = hub.Time.GetTimestamp();
        using var reader = FeedReader.Open(content, file.Label, contract, hub.Scratch, hub.Ingest.ReadLimits);
        if (reader.FileErrors.Count > 0)
        {
            var first = reader.FileErrors[0];
            await filing.AuditAsync(file, AuditKinds.Validated, first.Rule, "The file cannot be read as this feed: " + first.Message, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(first.Rule, first.Message, reader.FileErrors, null, cancellationToken).ConfigureAwait(false);
        }

        var header = ProtocolSet.CheckHeader(agreement, contract, reader.Headers);
        if (!header.Allowed)
        {
            // Header cells outside the contract may hold anything (a name, a date of birth): only their positions are told.
            var columns = SafeNames.Columns(contract, reader.Headers, header.ColumnsOutsideAgreement);
            var message = $"Agreement {protocol.AgreementId} does not allow {columns.Count} column(s) of this file: {string.Join(", ", columns)}.";
            await filing.AuditAsync(file, AuditKinds.ProtocolDecision, ProtocolRules.FieldOutsideAgreement, message, cancellationToken: cancellationToken).ConfigureAwait(false);
            var errors = columns
                .Select(c => new FileError(ProtocolRules.FieldOutsideAgreement, $"{c} is not on the allow-list of agreement {protocol.AgreementId} for feed {path.Feed}.", c))
                .ToArray();
            return await QuarantineAsync(ProtocolRules.FieldOutsideAgreement, message, errors, null, cancellationToken).ConfigureAwait(false);
        }

        // The raw archive's copy is written from here on, beside the rows, with a reader of its own (the rows keep both
        // cores busy, but the copy is mostly the kernel's, and at the end it would hold up the archive step alone); it is
        // committed, and so visible, only at the archive step after the receipt (see CommitAsync). A file quarantined
        // after all stops it before its own copy into quarantine is made, so the disk never holds both.
        await using var archive = new StagedCopy(file, ExtractFiling.ArchivePathFor(file, file.BatchId!), hub.Logger("DataHub.Ingest"));
        using var pseudonymiser = new Pseudonymiser(key);
        var tokeniser = new RowTokeniser(contract, path.Partner, pseudonymiser, header.FieldsNotAllowed);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MartMetadata.BatchId] = file.BatchId!,
            [MartMetadata.Partner] = path.Partner,
            [MartMetadata.Feed] = path.Feed,
            [MartMetadata.Agreement] = protocol.AgreementId,
            [MartMetadata.KeyVersion] = key.Version,
            [MartMetadata.SourceSha256] = file.Sha256,
            [MartMetadata.RulesVersion] = MartSchema.RulesVersion,
        };
        await using var mart = new MartBatchWriter(hub.Store, contract, file.BatchId!, attempt, metadata, hub.Ingest.MartCompression, hub.Ingest.RowGroupRows, hub.Ingest.RowGroupBytes, header.FieldsNotAllowed);
        var rows = await WriteRowsAsync(content, reader, tokeniser, mart, cancellationToken).ConfigureAwait(false);

        // The reader can meet a file-level fault part-way (a workbook corrupt in its middle, a quote that never closes,
        // a limit passed): then nothing of the file is stored, however many rows read cleanly before it.
        if (reader.FileErrors.Count > 0)
        {
            await mart.AbandonAsync().ConfigureAwait(false);
            await archive.DisposeAsync().ConfigureAwait(false);
            var fault = reader.FileErrors[0];
            await filing.AuditAsync(file, AuditKinds.Validated, fault.Rule, "The file could not be read to its end: " + fault.Message, ExtractFiling.Counts(("rows_read_before_fault", rows.Accepted + rows.Rejected)), cancellationToken: cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(fault.Rule, fault.Message, reader.FileErrors, null, cancellationToken).ConfigureAwait(false);
        }

        var read = rows.Accepted + rows.Rejected;
        (file.Read, file.Accepted, file.Rejected) = (read, rows.Accepted, rows.Rejected);
        var parseMs = (long)hub.Time.GetElapsedTime(parseStarted).TotalMilliseconds;
        await filing.AuditAsync(file, AuditKinds.Validated, null, $"Parsed and validated against the {path.Feed} contract.", ExtractFiling.Counts(("rows_read", read), ("rows_accepted", rows.Accepted), ("rows_rejected", rows.Rejected)), parseMs, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (rows.Rejected > 0)
        {
            await filing.AuditAsync(file, AuditKinds.RowsRejected, null, "Rows rejected, by rule.", rows.Errors.ByRule, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (read == 0)
        {
            await mart.AbandonAsync().ConfigureAwait(false);
            await archive.DisposeAsync().ConfigureAwait(false);
            return await QuarantineAsync("file.no_rows", "The file has a header but no data rows.", [new FileError("file.no_rows", "The file has a header but no data rows.")], rows.Errors, cancellationToken).ConfigureAwait(false);
        }

        var rate = (double)rows.Rejected / read;
        if (rate > agreement.ToleratedRowErrorRate)
        {
            await mart.AbandonAsync().ConfigureAwait(false);
            await archive.DisposeAsync().ConfigureAwait(false);
            var message = string.Format(
                CultureInfo.InvariantCulture,
                "{0} of {1} rows ({2:P1}) were rejected; agreement {3} tolerates {4:P1}. No rows were stored.",
                rows.Rejected,
                read,
                rate,
                protocol.AgreementId,
                agreement.ToleratedRowErrorRate);
            return await QuarantineAsync("rows.above_tolerance", message, [], rows.Errors, cancellationToken).ConfigureAwait(false);
        }

        var keyCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        var rowsWithKey = new Dictionary<LinkageKey, long>();
        for (var k = 0; k < tokeniser.Keys.Count; k++)
        {
            keyCounts["rows_with_" + tokeniser.Keys[k].Label()] = rows.KeyCounts[k];
            rowsWithKey[tokeniser.Keys[k]] = rows.KeyCounts[k];
        }

        keyCounts["rows"] = rows.Accepted;
        await filing.AuditAsync(file, AuditKinds.Pseudonymised, null, $"Identifiers turned into tokens under key version {key.Version} and dropped.", keyCounts, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await CommitAsync(mart, archive, rows, rowsWithKey, cancellationToken).ConfigureAwait(false);
    }

    // Commit, then the row-error report, then the receipt, then the archive: a crash anywhere before the receipt leaves a
    // claim that is taken over and redone (its own files, then the same manifest path); after it, only the landing copy,
    // which a later delivery archives as a duplicate. The archive's copy has been written meanwhile, since the rows began,
    // but is committed, and so visible, only at the archive step. Every way out before it (a quarantine, a failed commit,
    // a lost claim, a cancellation) abandons the copy when RunAsync returns: stopped and waited for, nothing of it visible
    // (a local temporary file deleted; one a crash leaves is swept as any is).
    private async Task<IngestOutcome> CommitAsync(MartBatchWriter mart, StagedCopy archive, WrittenRows rows, Dictionary<LinkageKey, long> rowsWithKey, CancellationToken cancellationToken)
    {
        var path = file.Path;
        var (manifest, manifestObject, replaced) = await mart.CommitAsync(rows.Rejected, hub.Time.GetUtcNow(), fence, cancellationToken).ConfigureAwait(false);
        foreach (var written in manifest.Files)
        {
            await filing.AuditAsync(file, AuditKinds.Written, null, $"Mart file for {written.Quarter} committed.", ExtractFiling.Counts(("rows", written.Rows), ("bytes", written.Bytes)), path: written.Path, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }

        await filing.AuditAsync(file, AuditKinds.Written, null, $"Batch manifest committed: {manifest.Files.Count} quarter file(s), now visible to readers.", ExtractFiling.Counts(("rows", manifest.Rows), ("files", manifest.Files.Count)), path: manifestObject.Path, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        string? reportPath = null;
        if (rows.Rejected > 0)
        {
            var read = rows.Accepted + rows.Rejected;
            var report = filing.Report(file, "accepted_with_row_errors", "rows.rejected", $"{rows.Rejected} of {read} rows were rejected and not stored; the other {rows.Accepted} were stored.", [], rows.Errors, agreement);
            reportPath = await filing.WriteReportAsync($"quarantine/{path.Partner}/{path.Feed}/row-errors/{file.BatchId}", report, CancellationToken.None).ConfigureAwait(false);
            await filing.AuditAsync(file, AuditKinds.Reported, "rows.rejected", "Row-error report written.", ExtractFiling.Counts(("rows_rejected", rows.Rejected)), path: reportPath, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }

        try
        {
            await complete(ReceiptRules.Stored).ConfigureAwait(false);
        }
        catch (ClaimLostException)
        {
            await WithdrawLateCommitAsync(manifestObject).ConfigureAwait(false);
            throw;
        }

        await RemoveReplacedAsync(replaced).ConfigureAwait(false);

        try
        {
            // A copy that failed fails here, after the receipt, as one made here would.
            // Disposed here, as archiving always disposed its write, so a temporary file not removed is audited with it.
            var copy = await archive.WrittenAsync().ConfigureAwait(false);
            await using (copy.ConfigureAwait(false))
            {
                await filing.ArchiveAsync(file, copy, null, $"Landed file kept in the raw archive for {agreement.RawRetentionDays} days.", CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (LandingChangedException)
        {
            // The rows are stored and the receipt says so; the partner replaced the landing copy before it was copied to the
            // archive, so the raw archive lacks this version (the new one is handled on its own).
            await filing.AuditAsync(file, AuditKinds.Failed, IngestExtract.ArchiveFailedRule, "The batch is stored; the landing copy was replaced or changed before it could be archived, so the raw archive does not hold this version.", cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The rows are stored and the receipt says so: the landing copy stays, and its next delivery archives it as a duplicate.
            await filing.AuditAsync(file, AuditKinds.Failed, IngestExtract.ArchiveFailedRule, $"The batch is stored; archiving the landing copy failed ({ex.GetType().Name}) and is done when it is seen again.", cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }

        return file.Outcome(rows.Rejected > 0 ? IngestStatus.StoredWithRowErrors : IngestStatus.Stored, null, null) with
        {
            MartFiles = [.. manifest.Files.Select(f => f.Path), manifestObject.Path],
            ReportPath = reportPath,
            RowsWithKey = rowsWithKey,
        };
    }

    // The claim passed to another worker (or clean-up gave it up) between the commit and the completion: this worker
    // stalled past its lease. The content's outcome is the other's to decide, so this commit must not stay visible beside
    // it: the manifest is withdrawn, but only the version this worker wrote (a worker that took over may have replaced it).
    private async Task WithdrawLateCommitAsync(StoredObject manifestObject)
    {
        bool withdrawn;
        try
        {
            withdrawn = await new MartCatalog(hub.Store).WithdrawAsync(file.Path.Feed, file.BatchId!, CancellationToken.None, manifestObject.ETag).ConfigureAwait(false);
        }
        catch (ObjectChangedException)
        {
            withdrawn = false;
        }

        if (withdrawn)
        {
            await filing.AuditAsync(file, AuditKinds.Deleted, IngestExtract.TakenOverRule, "Batch manifest withdrawn: this attempt committed after its claim had passed to another worker, which decides what becomes of the content.", path: manifestObject.Path, cancellationToken: CancellationToken.None).ConfigureAwait(false);
        }
    }

    // This commit replaced an earlier attempt's manifest (a worker that committed and died before its receipt): that
    // attempt's files are listed by no manifest now, and the claim has ended, so they go as clean-up would remove them
    // (audited the same way). A failure leaves them to the next clean-up; the batch is stored either way. A log that
    // refuses a removal's event once the file is gone is raised, saying so: the run must not look clean while the audit
    // lacks a deletion it made.
    private async Task RemoveReplacedAsync(IReadOnlyList<string> replaced)
    {
        if (replaced.Count == 0)
        {
            return;
        }

        try
        {
            await new InterruptedWork(hub).RemoveUnlistedAsync(file.Path.Feed, replaced, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AuditChainBrokenException ex)
        {
            throw ex.After($"Batch {file.BatchId} of {file.SafePath} is stored and its receipt complete; its landing copy was not archived (it stays in landing, and its next delivery archives it as a duplicate).");
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            hub.Logger("DataHub.Ingest").LogWarning("{Path}: the files of the attempt this commit replaced were not removed ({ErrorType}); clean-up removes them.", file.SafePath, ex.GetType().Name);
        }
    }

    private async Task<WrittenRows> WriteRowsAsync(Stream content, FeedReader reader, RowTokeniser tokeniser, MartBatchWriter mart, CancellationToken cancellationToken)
    {
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fileBytes = content.CanSeek ? content.Length : 0;
        Action<long>? rowsRead = progress is null ? null : rows => progress.Report(new IngestProgress(rows, content.CanSeek ? content.Position : 0, fileBytes));
        using var pseudonymised = new PseudonymisedRows(reader, tokeniser, mart, hub.Ingest.MaxReportedRowErrors, rowsRead, stopReading.Token);
        try
        {
            await foreach (var batch in pseudonymised.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    await mart.WriteAsync(batch.Quarter(i), batch.Row(i), batch.Tokens, i, batch.DateOfBirth(i), cancellationToken).ConfigureAwait(false);
                }

                pseudonymised.Recycle(batch);
            }
        }
        catch
        {
            // Stop the reader and let it finish before the file is closed under it. When reading failed, its fault is the one to report.
            await stopReading.CancelAsync().ConfigureAwait(false);
            await Task.WhenAny(pseudonymised.Completion).ConfigureAwait(false);
            if (pseudonymised.Completion.Exception?.InnerException is { } readFailure)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readFailure);
            }

            throw;
        }

        await pseudonymised.Completion.ConfigureAwait(false);
        return new WrittenRows(pseudonymised.Accepted, pseudonymised.Errors.Rows, pseudonymised.Errors, pseudonymised.KeyCounts);
    }

    private Task<IngestOutcome> QuarantineAsync(string rule, string message, IReadOnlyList<FileError> fileErrors, RowErrorTally? rowErrors, CancellationToken cancellationToken) =>
        filing.QuarantineAsync(file, rule, message, fileErrors, rowErrors, agreement, quarantine, cancellationToken);

    /// <summary>What reading a file's rows gave: counts, row errors and rows carrying each linkage key.</summary>
    private sealed record WrittenRows(long Accepted, long Rejected, RowErrorTally Errors, long[] KeyCounts);
}
