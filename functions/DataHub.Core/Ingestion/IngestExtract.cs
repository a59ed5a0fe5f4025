using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using DataHub.Core.Audit;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Marts;
using DataHub.Core.Parsing;
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
public sealed class IngestExtract
{
    private readonly HubContext _hub;
    private readonly ILogger _log;
    private readonly IProgress<IngestProgress>? _progress;

    /// <summary>Uses the hub's store, audit, receipts, key, protocols and clock; tells <paramref name="progress"/>, when given, how far each file's rows have been read.</summary>
    public IngestExtract(HubContext hub, IProgress<IngestProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _log = hub.Logger("DataHub.Ingest");
        _progress = progress;
    }

    /// <summary>Handles the object at <paramref name="landingPath"/>; with <paramref name="eTag"/>, only that version of it.</summary>
    public async Task<IngestOutcome> HandleAsync(string landingPath, string? eTag, CancellationToken cancellationToken)
    {
        var started = _hub.Time.GetTimestamp();
        var check = LandingPath.Check(landingPath);
        if (check.IsArchive)
        {
            return new IngestOutcome(IngestStatus.Ignored, landingPath, Message: "The hub's archive of processed files is not ingested.");
        }

        if (check.Path is null)
        {
            return await RefusePathAsync(landingPath, check, cancellationToken).ConfigureAwait(false);
        }

        var path = check.Path;
        var found = await _hub.Store.GetAsync(path.Path, cancellationToken).ConfigureAwait(false);
        if (found is null || (eTag is not null && !string.Equals(found.ETag, eTag, StringComparison.Ordinal)))
        {
            _log.LogInformation("Skipped {Path}: the object is gone or was replaced (its new version is handled on its own).", path.Path);
            return new IngestOutcome(IngestStatus.Ignored, path.Path, path.Partner, path.Feed, Message: "The object is gone or has been replaced.");
        }

        string sha;
        try
        {
            sha = await HashAsync(path.Path, found.ETag, cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectChangedException)
        {
            return new IngestOutcome(IngestStatus.Ignored, path.Path, path.Partner, path.Feed, Message: "The object changed while it was read; its new version is handled on its own.");
        }

        var file = new FileInHand(path, found.ETag, sha);
        await AuditAsync(file, AuditKinds.Received, null, detail: $"Received {path.FileName}.", counts: Counts(("bytes", found.Length)), cancellationToken: cancellationToken).ConfigureAwait(false);

        var decision = _hub.Protocols.Check(path.Partner, path.Feed, _hub.Today);
        file.Agreement = decision.AgreementId;
        await AuditAsync(file, AuditKinds.ProtocolDecision, decision.Rule, decision.Reason, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!decision.Allowed)
        {
            return await QuarantineAsync(file, decision.Rule, decision.Reason, [], null, null, cancellationToken).ConfigureAwait(false);
        }

        PseudonymisationKey key;
        try
        {
            key = await _hub.Keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KeyUnavailableException ex)
        {
            await AuditAsync(file, AuditKinds.Failed, "key.unavailable", ex.Message, cancellationToken: cancellationToken).ConfigureAwait(false);
            return file.Outcome(IngestStatus.Failed, "key.unavailable", ex.Message);
        }

        var receiptKey = new ReceiptKey(path.Partner, path.Feed, sha);
        var claim = await _hub.Receipts.TryClaimAsync(receiptKey, path.Path, _hub.Time.GetUtcNow(), _hub.Ingest.ClaimLease, cancellationToken).ConfigureAwait(false);
        switch (claim.Status)
        {
            case ClaimStatus.AlreadyCompleted:
                file.BatchId = claim.Receipt.BatchId;
                return await DuplicateAsync(file, claim.Receipt, cancellationToken).ConfigureAwait(false);
            case ClaimStatus.HeldByAnother:
                await AuditAsync(file, AuditKinds.InProgress, "receipt.held", "Another worker is processing the same content.", cancellationToken: cancellationToken).ConfigureAwait(false);
                return file.Outcome(IngestStatus.InProgress, "receipt.held", "Another worker is processing the same content.");
        }

        file.BatchId = BatchIdFor(path.Partner, sha);
        if (claim.Receipt.FailedAttempts >= _hub.Ingest.MaxFailedAttempts)
        {
            return await PoisonAsync(file, receiptKey, claim.Receipt.LastError ?? "repeated failures", cancellationToken).ConfigureAwait(false);
        }

        try
        {
            var outcome = await ProcessAsync(file, decision.Protocol!, decision.Agreement!, key, cancellationToken).ConfigureAwait(false);
            await _hub.Receipts.CompleteAsync(receiptKey, outcome.Status == IngestStatus.Quarantined ? "quarantined" : "stored", file.BatchId, cancellationToken).ConfigureAwait(false);
            _log.LogInformation(
                "{Path}: {Status}, {Accepted} rows stored, {Rejected} rejected, batch {BatchId}, {Ms} ms.",
                path.Path,
                outcome.Status,
                outcome.RowsAccepted,
                outcome.RowsRejected,
                file.BatchId,
                (long)_hub.Time.GetElapsedTime(started).TotalMilliseconds);
            return outcome;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _hub.Receipts.FailAsync(receiptKey, "The attempt was cancelled.", CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The message is ours or the runtime's (I/O, storage): parsing and validation errors never carry values.
            var error = $"{ex.GetType().Name}: {ex.Message}";
            var receipt = await _hub.Receipts.FailAsync(receiptKey, error, CancellationToken.None).ConfigureAwait(false);
            await AuditAsync(file, AuditKinds.Failed, "ingest.failed", error, counts: Counts(("failed_attempts", receipt.FailedAttempts)), cancellationToken: CancellationToken.None).ConfigureAwait(false);
            _log.LogWarning("{Path}: attempt {Attempt} failed ({ErrorType}).", path.Path, receipt.FailedAttempts, ex.GetType().Name);
            if (receipt.FailedAttempts >= _hub.Ingest.MaxFailedAttempts)
            {
                await _hub.Receipts.TryClaimAsync(receiptKey, path.Path, _hub.Time.GetUtcNow(), _hub.Ingest.ClaimLease, CancellationToken.None).ConfigureAwait(false);
                return await PoisonAsync(file, receiptKey, error, CancellationToken.None).ConfigureAwait(false);
            }

            return file.Outcome(IngestStatus.Failed, "ingest.failed", error);
        }
    }

    /// <summary>The batch id of a partner's content: deterministic, so a retried batch rewrites the same files.</summary>
    public static string BatchIdFor(string partner, string sha256) => $"{partner}-{sha256[..16]}";

    /// <summary>Where processed landing files are kept until their raw retention ends.</summary>
    public static string ArchivePathFor(LandingPath path, string batchId) =>
        $"{LandingPath.Container}/{LandingPath.ProcessedFolder}/{path.Partner}/{path.Feed}/{batchId}/{path.FileName}";

    private async Task<IngestOutcome> ProcessAsync(FileInHand file, PartnerProtocol protocol, FeedAgreement agreement, PseudonymisationKey key, CancellationToken cancellationToken)
    {
        var path = file.Path;
        var contract = FeedCatalog.Find(path.Feed)!;
        var parseStarted = _hub.Time.GetTimestamp();
        await using var content = await _hub.Store.OpenReadAsync(path.Path, file.ETag, cancellationToken).ConfigureAwait(false);
        using var reader = FeedReader.Open(content, path.FileName, contract, _hub.Scratch);
        if (reader.FileErrors.Count > 0)
        {
            var first = reader.FileErrors[0];
            await AuditAsync(file, AuditKinds.Validated, first.Rule, "The file cannot be read as this feed: " + first.Message, cancellationToken: cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(file, first.Rule, first.Message, reader.FileErrors, null, agreement, cancellationToken).ConfigureAwait(false);
        }

        var header = ProtocolSet.CheckHeader(agreement, contract, reader.Headers);
        if (!header.Allowed)
        {
            var message = $"Agreement {protocol.AgreementId} does not allow {header.ColumnsOutsideAgreement.Count} column(s) of this file: {string.Join(", ", header.ColumnsOutsideAgreement)}.";
            await AuditAsync(file, AuditKinds.ProtocolDecision, ProtocolRules.FieldOutsideAgreement, message, cancellationToken: cancellationToken).ConfigureAwait(false);
            var errors = header.ColumnsOutsideAgreement
                .Select(c => new FileError(ProtocolRules.FieldOutsideAgreement, $"Column '{c}' is not on the allow-list of agreement {protocol.AgreementId} for feed {path.Feed}.", c))
                .ToArray();
            return await QuarantineAsync(file, ProtocolRules.FieldOutsideAgreement, message, errors, null, agreement, cancellationToken).ConfigureAwait(false);
        }

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
        await using var mart = new MartBatchWriter(_hub.Store, contract, file.BatchId!, metadata, _hub.Ingest.MartCompression, _hub.Ingest.RowGroupRows, _hub.Ingest.RowGroupBytes, header.FieldsNotAllowed);
        using var stopReading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var fileBytes = content.CanSeek ? content.Length : 0;
        Action<long>? rowsRead = _progress is null ? null : rows => _progress.Report(new IngestProgress(rows, content.CanSeek ? content.Position : 0, fileBytes));
        using var pseudonymised = new PseudonymisedRows(reader, tokeniser, mart, _hub.Ingest.MaxReportedRowErrors, rowsRead, stopReading.Token);
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
        var (accepted, rejected, errorsKept, errorsByRule, keyCounts) = (pseudonymised.Accepted, pseudonymised.Rejected, pseudonymised.ErrorsKept, pseudonymised.ErrorsByRule, pseudonymised.KeyCounts);

        // The reader can meet a file-level fault part-way (a workbook corrupt in its middle, a quote that never closes):
        // then nothing of the file is stored, however many rows read cleanly before it.
        if (reader.FileErrors.Count > 0)
        {
            await mart.AbandonAsync().ConfigureAwait(false);
            var fault = reader.FileErrors[0];
            await AuditAsync(file, AuditKinds.Validated, fault.Rule, "The file could not be read to its end: " + fault.Message, Counts(("rows_read_before_fault", accepted + rejected)), cancellationToken: cancellationToken).ConfigureAwait(false);
            return await QuarantineAsync(file, fault.Rule, fault.Message, reader.FileErrors, null, agreement, cancellationToken).ConfigureAwait(false);
        }

        var read = accepted + rejected;
        file.Read = read;
        file.Accepted = accepted;
        file.Rejected = rejected;
        var parseMs = (long)_hub.Time.GetElapsedTime(parseStarted).TotalMilliseconds;
        await AuditAsync(file, AuditKinds.Validated, null, $"Parsed and validated against the {path.Feed} contract.", Counts(("rows_read", read), ("rows_accepted", accepted), ("rows_rejected", rejected)), parseMs, cancellationToken).ConfigureAwait(false);
        if (rejected > 0)
        {
            await AuditAsync(file, AuditKinds.RowsRejected, null, "Rows rejected, by rule.", errorsByRule, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var rowErrors = new RowErrorSummary(errorsKept, errorsByRule, errorsByRule.Values.Sum() > errorsKept.Count);
        if (read == 0)
        {
            await mart.AbandonAsync().ConfigureAwait(false);
            return await QuarantineAsync(file, "file.no_rows", "The file has a header but no data rows.", [new FileError("file.no_rows", "The file has a header but no data rows.")], rowErrors, agreement, cancellationToken).ConfigureAwait(false);
        }

        var rate = (double)rejected / read;
        if (rate > agreement.ToleratedRowErrorRate)
        {
            await mart.AbandonAsync().ConfigureAwait(false);
            var message = string.Format(
                CultureInfo.InvariantCulture,
                "{0} of {1} rows ({2:P1}) were rejected; agreement {3} tolerates {4:P1}. No rows were stored.",
                rejected,
                read,
                rate,
                protocol.AgreementId,
                agreement.ToleratedRowErrorRate);
            return await QuarantineAsync(file, "rows.above_tolerance", message, [], rowErrors, agreement, cancellationToken).ConfigureAwait(false);
        }

        var keyCountMap = new Dictionary<string, long>(StringComparer.Ordinal);
        var rowsWithKey = new Dictionary<LinkageKey, long>();
        for (var k = 0; k < tokeniser.Keys.Count; k++)
        {
            keyCountMap["rows_with_" + tokeniser.Keys[k].Label()] = keyCounts[k];
            rowsWithKey[tokeniser.Keys[k]] = keyCounts[k];
        }

        keyCountMap["rows"] = accepted;
        await AuditAsync(file, AuditKinds.Pseudonymised, null, $"Identifiers turned into tokens under key version {key.Version} and dropped.", keyCountMap, cancellationToken: cancellationToken).ConfigureAwait(false);

        var written = await mart.CommitAsync(rejected).ConfigureAwait(false);
        foreach (var (stored, quarter, rows) in written)
        {
            await AuditAsync(file, AuditKinds.Written, null, $"Mart file for {quarter} committed.", Counts(("rows", rows), ("bytes", stored.Length)), pathOverride: stored.Path, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        string? reportPath = null;
        if (rejected > 0)
        {
            var report = BuildReport(file, "accepted_with_row_errors", "rows.rejected", $"{rejected} of {read} rows were rejected and not stored; the other {accepted} were stored.", [], rowErrors, agreement);
            reportPath = await WriteReportAsync($"quarantine/{path.Partner}/{path.Feed}/row-errors/{file.BatchId}.{path.FileName}", report, cancellationToken).ConfigureAwait(false);
            await AuditAsync(file, AuditKinds.Reported, "rows.rejected", "Row-error report written.", Counts(("rows_rejected", rejected)), pathOverride: reportPath, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        var archive = await MoveAsync(path.Path, ArchivePathFor(path, file.BatchId!), file.ETag, cancellationToken).ConfigureAwait(false);
        await AuditAsync(file, AuditKinds.Archived, null, $"Landed file kept in the raw archive for {agreement.RawRetentionDays} days.", pathOverride: archive, cancellationToken: cancellationToken).ConfigureAwait(false);
        return file.Outcome(rejected > 0 ? IngestStatus.StoredWithRowErrors : IngestStatus.Stored, null, null) with
        {
            MartFiles = [.. written.Select(w => w.File.Path)],
            ReportPath = reportPath,
            RowsWithKey = rowsWithKey,
        };
    }

    private async Task<IngestOutcome> DuplicateAsync(FileInHand file, Receipt receipt, CancellationToken cancellationToken)
    {
        var message = $"The same content was already processed as batch {receipt.BatchId} ({receipt.Outcome}); nothing was done.";
        await AuditAsync(file, AuditKinds.Duplicate, "receipt.duplicate", message, cancellationToken: cancellationToken).ConfigureAwait(false);

        // The copy is identical to what was processed, so it joins that batch's archive rather than being deleted.
        var batch = receipt.BatchId ?? BatchIdFor(file.Path.Partner, file.Sha256);
        var archive = await MoveAsync(file.Path.Path, ArchivePathFor(file.Path, batch) + ".duplicate-" + _hub.Time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", CultureInfo.InvariantCulture), file.ETag, cancellationToken).ConfigureAwait(false);
        await AuditAsync(file, AuditKinds.Archived, "receipt.duplicate", "Duplicate delivery kept in the raw archive.", pathOverride: archive, cancellationToken: cancellationToken).ConfigureAwait(false);
        return file.Outcome(IngestStatus.Duplicate, "receipt.duplicate", message);
    }

    private async Task<IngestOutcome> PoisonAsync(FileInHand file, ReceiptKey receiptKey, string error, CancellationToken cancellationToken)
    {
        await AuditAsync(file, AuditKinds.Poisoned, "ingest.poison", $"Quarantined after {_hub.Ingest.MaxFailedAttempts} failed attempts.", cancellationToken: cancellationToken).ConfigureAwait(false);
        var outcome = await QuarantineAsync(file, "ingest.poison", $"Processing failed {_hub.Ingest.MaxFailedAttempts} times; last error: {error}", [new FileError("ingest.poison", error)], null, null, cancellationToken).ConfigureAwait(false);
        await _hub.Receipts.CompleteAsync(receiptKey, "quarantined", file.BatchId ?? BatchIdFor(file.Path.Partner, file.Sha256), cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    private async Task<IngestOutcome> QuarantineAsync(
        FileInHand file,
        string rule,
        string message,
        IReadOnlyList<FileError> fileErrors,
        RowErrorSummary? rowErrors,
        FeedAgreement? agreement,
        CancellationToken cancellationToken)
    {
        var path = file.Path;
        var folder = $"quarantine/{path.Partner}/{path.Feed}/";
        var destination = folder + path.FileName;
        if (await _hub.Store.GetAsync(destination, cancellationToken).ConfigureAwait(false) is not null)
        {
            // An earlier file of the same name is already in quarantine: keep both.
            destination = folder + file.Sha256[..12] + "-" + path.FileName;
        }

        var report = BuildReport(file, "quarantined", rule, message, fileErrors, rowErrors, agreement);
        await _hub.Store.CopyAsync(path.Path, destination, cancellationToken).ConfigureAwait(false);
        var reportPath = await WriteReportAsync(destination, report, cancellationToken).ConfigureAwait(false);
        await _hub.Store.DeleteAsync(path.Path, file.ETag, cancellationToken).ConfigureAwait(false);
        await AuditAsync(file, AuditKinds.Quarantined, rule, message, Counts(("rows_read", file.Read), ("rows_rejected", file.Rejected)), pathOverride: destination, cancellationToken: cancellationToken).ConfigureAwait(false);
        _log.LogInformation("{Path}: quarantined ({Rule}) at {Destination}.", path.Path, rule, destination);
        return file.Outcome(IngestStatus.Quarantined, rule, message) with { ReportPath = reportPath, QuarantinePath = destination };
    }

    private async Task<IngestOutcome> RefusePathAsync(string landingPath, LandingPathCheck check, CancellationToken cancellationToken)
    {
        var now = _hub.Time.GetUtcNow();
        var pathHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(landingPath)))[..12];
        var report = new IngestReport
        {
            Outcome = "refused",
            Source = landingPath,
            DecidedAt = now,
            Rule = check.Rule!,
            Message = check.Message!,
            FileErrors = [new FileError(check.Rule!, check.Message!)],
        };
        string? moved = null;
        if (check.Movable && await _hub.Store.GetAsync(landingPath, cancellationToken).ConfigureAwait(false) is not null)
        {
            // Inside landing but at the wrong place: move it aside so the partner sees it was not processed.
            moved = "quarantine/_unrouted/" + string.Join('~', landingPath.Split('/').Skip(1));
            await _hub.Store.CopyAsync(landingPath, moved, cancellationToken).ConfigureAwait(false);
            await _hub.Store.DeleteAsync(landingPath, null, cancellationToken).ConfigureAwait(false);
        }

        var reportPath = await WriteReportAsync(moved ?? $"quarantine/_refused/{now:yyyyMMddTHHmmssfff}-{pathHash}", report with { Outcome = moved is null ? "refused" : "quarantined" }, cancellationToken).ConfigureAwait(false);
        await _hub.Audit.AppendAsync(new AuditEntry(AuditKinds.PathRefused, Agreement: "none", Path: landingPath, Rule: check.Rule, Detail: check.Message), cancellationToken).ConfigureAwait(false);
        _log.LogWarning("Refused a landing path ({Rule}).", check.Rule);
        return new IngestOutcome(moved is null ? IngestStatus.Refused : IngestStatus.Quarantined, landingPath, Rule: check.Rule, Message: check.Message, ReportPath: reportPath, QuarantinePath: moved);
    }

    private IngestReport BuildReport(FileInHand file, string outcome, string rule, string message, IReadOnlyList<FileError> fileErrors, RowErrorSummary? rowErrors, FeedAgreement? agreement) => new()
    {
        Outcome = outcome,
        Source = file.Path.Path,
        Partner = file.Path.Partner,
        Feed = file.Path.Feed,
        Agreement = file.Agreement,
        Sha256 = file.Sha256,
        BatchId = file.BatchId,
        DecidedAt = _hub.Time.GetUtcNow(),
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

    private async Task<string> WriteReportAsync(string basePath, IngestReport report, CancellationToken cancellationToken)
    {
        var json = report.ToJson();
        var csv = report.ToCsv();
        await _hub.Store.WriteAsync(basePath + ".report.csv", (s, ct) => s.WriteAsync(csv, ct).AsTask(), WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        await _hub.Store.WriteAsync(basePath + ".report.json", (s, ct) => s.WriteAsync(json, ct).AsTask(), WriteOptions.Default, cancellationToken).ConfigureAwait(false);
        return basePath + ".report.json";
    }

    private async Task<string> MoveAsync(string source, string destination, string eTag, CancellationToken cancellationToken)
    {
        await _hub.Store.CopyAsync(source, destination, cancellationToken).ConfigureAwait(false);
        await _hub.Store.DeleteAsync(source, eTag, cancellationToken).ConfigureAwait(false);
        return destination;
    }

    private async Task<string> HashAsync(string path, string eTag, CancellationToken cancellationToken)
    {
        await using var stream = await _hub.Store.OpenReadAsync(path, eTag, cancellationToken).ConfigureAwait(false);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            sha.AppendData(buffer, 0, n);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private Task AuditAsync(
        FileInHand file,
        string kind,
        string? rule,
        string? detail,
        IReadOnlyDictionary<string, long>? counts = null,
        long? durationMs = null,
        CancellationToken cancellationToken = default,
        string? pathOverride = null) =>
        _hub.Audit.AppendAsync(
            new AuditEntry(kind, file.Path.Partner, file.Path.Feed, file.Agreement, file.Sha256, pathOverride ?? file.Path.Path, file.BatchId, rule, detail, counts, durationMs ?? (long)_hub.Time.GetElapsedTime(file.Started).TotalMilliseconds),
            cancellationToken);

    private static Dictionary<string, long> Counts(params (string Name, long Value)[] counts) =>
        counts.ToDictionary(c => c.Name, c => c.Value, StringComparer.Ordinal);

    /// <summary>Row errors as reported: the listed ones (up to the limit) and complete counts per rule.</summary>
    private sealed record RowErrorSummary(IReadOnlyList<RowError> Listed, IReadOnlyDictionary<string, long> ByRule, bool Truncated);

    /// <summary>What is known about the file being handled, filled in step by step.</summary>
    private sealed class FileInHand(LandingPath path, string eTag, string sha256)
    {
        public LandingPath Path { get; } = path;

        public string ETag { get; } = eTag;

        public string Sha256 { get; } = sha256;

        public long Started { get; } = System.Diagnostics.Stopwatch.GetTimestamp();

        public string? Agreement { get; set; }

        public string? BatchId { get; set; }

        public long Read { get; set; }

        public long Accepted { get; set; }

        public long Rejected { get; set; }

        public IngestOutcome Outcome(IngestStatus status, string? rule, string? message) =>
            new(status, Path.Path, Path.Partner, Path.Feed, Agreement, Sha256, BatchId, Read, Accepted, Rejected, rule, message);
    }
}
