using System.Runtime.CompilerServices;
using DataHub.Core.Governance;
using DataHub.Core.Marts;
using DataHub.Core.Receipts;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;

namespace DataHub.Core.Audit;

/// <summary>A durable record the hub keeps beside its audit log, and the event the log must hold for it.</summary>
/// <param name="Name">The record as messages name it: by batch id, version id or receipt, never by a landed file's name.</param>
/// <param name="Kinds">The event kinds, any one of which records it.</param>
/// <param name="Path">The path the event names, or null when any.</param>
/// <param name="Partner">The partner the event names, or null when any.</param>
/// <param name="Feed">The feed the event names, or null when any.</param>
/// <param name="Sha256">The file hash the event carries, or null when any.</param>
/// <param name="At">When the record was made: a record made inside a loss a repair recorded (or of the file whose event ends the log before the loss) may have lost its event.</param>
/// <param name="Unfinished">True for work still open (its receipt not completed): its event may yet be written, or the work redone.</param>
/// <param name="NotCurrent">True for a published version its pointer does not name: a rollup killed after writing its
/// manifest and before its switch leaves one without an event, and a folder with a manifest is never cleared.</param>
public sealed record AuditedRecord(
    string Name,
    IReadOnlyList<string> Kinds,
    string? Path,
    string? Partner,
    string? Feed,
    string? Sha256,
    DateTimeOffset? At,
    bool Unfinished = false,
    bool NotCurrent = false)
{
    /// <summary>The receipt of the work that made this record (a batch's), re-read before the record is called unaccounted.</summary>
    public ReceiptKey? Receipt { get; init; }

    /// <summary>When the pointer was switched to this version (the current one's): its event follows the switch.</summary>
    public DateTimeOffset? SwitchedAt { get; init; }

    /// <summary>True when <paramref name="e"/> records this.</summary>
    public bool IsRecordedBy(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var entry = e.Entry;
        return Kinds.Contains(entry.Kind, StringComparer.Ordinal)
            && Same(Path, entry.Path) && Same(Partner, entry.Partner) && Same(Feed, entry.Feed) && Same(Sha256, entry.FileSha256);
    }

    /// <summary>The keys an event is looked up by: kind and path, or kind, partner, feed and hash.</summary>
    internal IEnumerable<string> Keys => Kinds.Select(k => Path is not null ? PathKey(k, Path) : ContentKey(k, Partner, Feed, Sha256));

    internal static string PathKey(string kind, string path) => kind + "\n" + path;

    internal static string ContentKey(string kind, string? partner, string? feed, string? sha) => $"{kind}\n{partner}\n{feed}\n{sha}";

    private static bool Same(string? wanted, string? found) => wanted is null || string.Equals(wanted, found, StringComparison.Ordinal);
}

/// <summary>
/// The hub's durable records that the audit log must account for: every committed batch manifest (its commit event),
/// every receipt (the events of its file) and every published KPI or governance version (its publication event). A record
/// the log does not account for means events were cut from the log's end (and the anchors with them), or a record was
/// made outside the hub; `audit verify` reports either as tampering.
/// </summary>
/// <param name="store">The hub's object store (batch manifests, published versions), or null when there is none.</param>
/// <param name="receipts">The hub's receipts, or null when there are none to read.</param>
public sealed class AuditRecords(IObjectStore? store, IReceiptStore? receipts)
{
    /// <summary>Every record to account for, and the records that cannot be read (each a break).</summary>
    public async Task<(IReadOnlyList<AuditedRecord> Records, IReadOnlyList<string> Unreadable)> ReadAsync(CancellationToken cancellationToken)
    {
        var records = new List<AuditedRecord>();
        var breaks = new List<string>();

        // Manifests and versions first, receipts after, the log last (the verifier): an ingest claims its receipt before
        // it commits and completes it only after its commit event, so a manifest listed here without its event has its
        // receipt listed open, or completed after an event the later log read holds. The one exception is a takeover that
        // quarantines the content: it withdraws an earlier attempt's manifest (a deleted event, not a commit event) and
        // completes the receipt as quarantined, perhaps after the manifests were listed; the verifier looks for such a
        // manifest again before calling it unaccounted.
        var batches = new List<MartManifest>();
        var versions = new List<AuditedRecord>();
        if (store is not null)
        {
            var catalog = new MartCatalog(store);
            foreach (var feed in MartCatalog.Feeds)
            {
                // Manifests are written whole (create-only, atomically): one that cannot be read was altered or corrupted on disk.
                // One the store denies the hub (a folder's permissions, a storage role) says nothing of its content: not a break
                // to report as tampering, but the storage failure it is, with what to grant.
                batches.AddRange(await catalog.CommittedAsync(
                    feed,
                    ex => breaks.Add(ex.IsAccessDenied ? throw ex : $"{ManifestName(feed, ex.Path)} cannot be read (manifests are written whole: it was altered, or the disk corrupted it)"),
                    cancellationToken).ConfigureAwait(false));
            }

            await foreach (var version in VersionsAsync(store, "kpi", "KPI", RollupQuarter.CurrentPointer, [AuditKinds.KpiPublished, AuditKinds.KpiRefused], cancellationToken).ConfigureAwait(false))
            {
                versions.Add(version);
            }

            await foreach (var version in VersionsAsync(store, "governance", "governance", GovernancePublisher.CurrentPointer, [GovernancePublisher.AuditKind, GovernancePublisher.RefusedKind], cancellationToken).ConfigureAwait(false))
            {
                versions.Add(version);
            }
        }

        var open = new HashSet<ReceiptKey>();
        if (receipts is not null)
        {
            await foreach (var receipt in receipts.ListAsync(name => breaks.Add($"{name} cannot be read (receipts are written whole: it was altered, the disk corrupted it, or the hub's user may not open it)"), cancellationToken).ConfigureAwait(false))
            {
                if (receipt.State != ReceiptState.Completed)
                {
                    open.Add(receipt.Key);
                }

                records.Add(Of(receipt));
            }
        }

        records.AddRange(batches.Select(b => new AuditedRecord(
            $"batch {b.BatchId} ({b.Feed})",
            [AuditKinds.Written],
            b.Path,
            null,
            null,
            b.SourceSha256,
            b.CommittedAt,
            open.Contains(new ReceiptKey(b.Partner, b.Feed, b.SourceSha256)))
        {
            Receipt = new ReceiptKey(b.Partner, b.Feed, b.SourceSha256),
        }));
        records.AddRange(versions);

        return (records, breaks);
    }

    // A receipt is claimed after its file's received event, completed as stored after its batch's commit event, and
    // completed as quarantined after its quarantined event: each state has an event the log must already hold.
    private static AuditedRecord Of(Receipt receipt)
    {
        var key = receipt.Key;
        var name = ReceiptNames.Of(key.Partner, key.Feed, key.Sha256);
        return receipt switch
        {
            { State: ReceiptState.Completed, Outcome: ReceiptRules.Stored, BatchId: { } batch } =>
                new AuditedRecord(ReceiptNames.IsBatchId(batch) ? $"{name} (stored as batch {batch})" : $"{name} (stored as a batch not named as the hub names batches)", [AuditKinds.Written], MartManifest.PathFor(key.Feed, batch), null, null, key.Sha256, receipt.RenewedAt ?? receipt.ClaimedAt),
            { State: ReceiptState.Completed, Outcome: ReceiptRules.Quarantined } =>
                new AuditedRecord($"{name} (quarantined)", [AuditKinds.Quarantined], null, key.Partner, key.Feed, key.Sha256, receipt.RenewedAt ?? receipt.ClaimedAt),
            _ => new AuditedRecord($"{name} ({receipt.State.ToString().ToLowerInvariant()})", [AuditKinds.Received], null, key.Partner, key.Feed, key.Sha256, receipt.RenewedAt ?? receipt.ClaimedAt),
        };
    }

    // A manifest by its path only when the hub named it ({partner}-{16 hex}.json, the batch id): anyone with write access
    // can leave a file under _batches/, and its name may be a person's.
    private static string ManifestName(string feed, string path) =>
        Path.GetFileNameWithoutExtension(path) is var id && ReceiptNames.IsBatchId(id) && path == MartManifest.PathFor(feed, id)
            ? $"the batch manifest {path}" : $"an object not named as the hub names manifests, in {path[..(path.LastIndexOf('/') + 1)]}";

    private static async IAsyncEnumerable<AuditedRecord> VersionsAsync(IObjectStore store, string area, string label, string pointer, IReadOnlyList<string> kinds, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var current = await CurrentVersion.ReadPointerAsync(store, pointer, cancellationToken).ConfigureAwait(false);
        await foreach (var (runId, path) in new KpiVersions(store, area).CommittedAsync(cancellationToken).ConfigureAwait(false))
        {
            // The current version's event follows its switch (a run's start is long before it). A version the pointer does
            // not name is only ever a note, so when it was made is never asked (and the store's write time is not the hub's clock).
            var isCurrent = current is not null && path.StartsWith(current.Version + "/", StringComparison.Ordinal);
            yield return new AuditedRecord($"{label} version {runId}", kinds, path, null, null, null, isCurrent ? current!.Switched : null, NotCurrent: !isCurrent)
            {
                SwitchedAt = isCurrent ? current!.Switched : null,
            };
        }
    }
}
