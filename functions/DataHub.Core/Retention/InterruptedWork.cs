using DataHub.Core.Audit;
using DataHub.Core.Hub;
using DataHub.Core.Ingestion;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Storage;
using Microsoft.Extensions.Logging;

namespace DataHub.Core.Retention;

/// <summary>
/// Removes what interrupted work left in storage: the quarter files of commit attempts no manifest lists (the commit never
/// finished, or the attempt's manifest was refused, withdrawn or replaced by a later attempt's) once no live claim on their
/// content is still writing (invisible to every reader, see <see cref="MartManifest"/>), and
/// the temporary files of processes that have gone (a killed copy into landing holds raw identifiable data). Runs when a
/// host starts and at the start of every retention run; each mart file removed is audited.
/// </summary>
public sealed class InterruptedWork
{
    /// <summary>The audit rule for a mart file of a commit attempt no manifest lists.</summary>
    public const string UncommittedRule = "cleanup.uncommitted_batch";

    private readonly HubContext _hub;
    private readonly ILogger _log;

    /// <summary>Cleans up over the hub's store, receipts and audit.</summary>
    public InterruptedWork(HubContext hub)
    {
        ArgumentNullException.ThrowIfNull(hub);
        _hub = hub;
        _log = hub.Logger("DataHub.Cleanup");
    }

    /// <summary>Sweeps abandoned temporary files and uncommitted mart files.</summary>
    public async Task<CleanupOutcome> RunAsync(CancellationToken cancellationToken)
    {
        var unopenable = new List<string>();
        var temporaries = _hub.Store is ITemporaryFileSweeper sweeper ? await sweeper.SweepAsync(unopenable.Add, cancellationToken).ConfigureAwait(false) : 0;
        if (unopenable.Count > 0)
        {
            // Named by label: a folder under landing is a partner's, and its name may be a person's.
            var labels = await FileLabels.CurrentOrWithheldAsync(_hub.Keys, cancellationToken).ConfigureAwait(false);
            foreach (var folder in unopenable)
            {
                _log.LogWarning(
                    "Clean-up cannot open {Path} (its permissions or owner deny the hub's user), so a temporary file an interrupted write left in it, which may hold raw data, could not be looked for; give the hub's user access to it (docs/runbook.md, \"A folder or file the hub cannot open\").",
                    labels.ObjectPath(folder, _hub.Protocols));
            }
        }

        var removed = new List<string>();
        var catalog = new MartCatalog(_hub.Store);
        await foreach (var (feed, state) in catalog.ScanFeedsAsync(
            (feed, ex) => _log.LogError("{Feed}: a batch manifest is damaged ({Path}); nothing of the feed was cleaned up.", feed, ex.Path),
            cancellationToken).ConfigureAwait(false))
        {
            foreach (var file in state.Unlisted)
            {
                if (await RemoveIfAbandonedAsync(catalog, feed, file, cancellationToken).ConfigureAwait(false))
                {
                    removed.Add(file.Path);
                }
            }
        }

        if (temporaries + removed.Count > 0)
        {
            _log.LogInformation("Clean-up removed {Temporaries} temporary files and {Files} mart files of uncommitted batches.", temporaries, removed.Count);
        }

        return new CleanupOutcome(temporaries, removed);
    }

    /// <summary>
    /// Removes the mart files at <paramref name="paths"/> (of <paramref name="feed"/>) that clean-up would remove: those the
    /// batch's manifest no longer lists once no live claim owns their content. An ingest calls it with the files of the
    /// earlier attempt whose manifest its commit replaced, once its own receipt is complete, rather than leave them to the
    /// next clean-up. Returns the paths removed.
    /// </summary>
    public async Task<IReadOnlyList<string>> RemoveUnlistedAsync(string feed, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var catalog = new MartCatalog(_hub.Store);
        var removed = new List<string>();
        foreach (var path in paths)
        {
            if (await _hub.Store.GetAsync(path, cancellationToken).ConfigureAwait(false) is { } file
                && await RemoveIfAbandonedAsync(catalog, feed, file, cancellationToken).ConfigureAwait(false))
            {
                removed.Add(path);
            }
        }

        return removed;
    }

    // Only files a batch writer made (they name their batch and source in the store's metadata) are judged here.
    private async Task<bool> RemoveIfAbandonedAsync(MartCatalog catalog, string feed, StoredObject file, CancellationToken cancellationToken)
    {
        if (!file.Metadata.TryGetValue(MartMetadata.BatchId, out var batch)
            || !file.Metadata.TryGetValue(MartMetadata.Partner, out var partner)
            || !file.Metadata.TryGetValue(MartMetadata.SourceSha256, out var sha))
        {
            return false;
        }

        var key = new ReceiptKey(partner, feed, sha);
        if (await _hub.Receipts.GetAsync(key, cancellationToken).ConfigureAwait(false) is not null)
        {
            // A lapsed claim is given up before its files go (a takeover would do the same): its worker may only have
            // stalled, and must then find its claim lost and withdraw anything it commits late, rather than complete the
            // receipt for a manifest listing files deleted here. Locally this waits for a commit under way to end.
            var now = _hub.Time.GetUtcNow();
            await _hub.Receipts.UpdateAsync(key, r => ReceiptRules.Abandon(r, now, _hub.Ingest.ClaimLease), cancellationToken).ConfigureAwait(false);
            var receipt = await _hub.Receipts.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (receipt is not null && ReceiptRules.IsLive(receipt, _hub.Time.GetUtcNow(), _hub.Ingest.ClaimLease))
            {
                return false; // Its writer is alive and may be about to commit.
            }
        }

        // The claim is not live, and a manifest is written before a claim ends: a file the batch's manifest does not list now
        // is an attempt's that never committed, or whose manifest was withdrawn or replaced. Each attempt writes under names
        // of its own, so no later attempt's manifest can come to list it.
        try
        {
            if (await catalog.ListsAsync(feed, batch, file.Path, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (DamagedManifestException ex)
        {
            // The batch's manifest was damaged, or closed to the hub's user, since the feed was scanned (or, for an ingest's
            // replaced files, since its commit): it may list the file, so the file stays, and the rest of the clean-up goes on.
            _log.LogError("{Feed}: {Reason} The mart file {File} of its batch was kept, not cleaned up.", feed, ex.Message, file.Path);
            return false;
        }

        // The removal comes before its event: a log that cannot take the event refuses before the file goes.
        await _hub.Audit.CheckWritableAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!await _hub.Store.DeleteAsync(file.Path, file.ETag, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
        catch (ObjectChangedException)
        {
            return false; // Changed since it was listed: not the file judged.
        }
        catch (ObjectUnreachableException ex) when (ex.Cause == UnreachableCause.AccessDenied)
        {
            // The store refuses the hub this delete (a folder's permissions, a storage role): the file stays, no reader takes
            // it, and the rest of the clean-up (and the retention run after it) goes on. A mart path is the hub's own name.
            _log.LogWarning(
                "{Feed}: clean-up cannot delete the mart file {File} of an uncommitted batch (access to it is denied), so it was kept; {Remedy} (docs/runbook.md, \"A folder or file the hub cannot open\").",
                feed,
                file.Path,
                ex.Remedy is { } remedy ? "to fix it, " + remedy : "give the hub's user access to it");
            return false;
        }

        var protocol = _hub.Protocols.Find(partner);
        await AuditRefusal.AfterWritingAsync($"Clean-up removed {file.Path} (a mart file of a commit attempt no manifest lists) but did not record its removal.", () => _hub.Audit.AppendAsync(
            new AuditEntry(
                AuditKinds.Deleted,
                Partner: partner,
                Feed: feed,
                Agreement: protocol?.AgreementId ?? "none",
                FileSha256: sha,
                Path: file.Path,
                BatchId: batch,
                Rule: UncommittedRule,
                Detail: "Mart file of a commit attempt no manifest lists (its commit never finished, or its manifest was withdrawn or replaced): no reader takes it.",
                Counts: new Dictionary<string, long> { ["bytes"] = file.Length }),
            cancellationToken)).ConfigureAwait(false);
        return true;
    }
}

/// <summary>What a clean-up removed.</summary>
/// <param name="TemporaryFiles">Temporary files of processes that had gone.</param>
/// <param name="UncommittedMartFiles">Mart files of batches never committed.</param>
public sealed record CleanupOutcome(int TemporaryFiles, IReadOnlyList<string> UncommittedMartFiles);
