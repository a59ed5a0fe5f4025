using DataHub.Core.Receipts;
using DataHub.Core.Rollup;
using DataHub.Core.Storage;

namespace DataHub.Core.Audit;

/// <summary>
/// An audit log with what vouches for it from outside: the audit key its events are sealed under, its anchor store, and
/// the object store whose published KPI manifests record its head. The same for the embedded root and for Azure.
/// </summary>
/// <param name="Log">The log.</param>
/// <param name="Keys">The audit key (every version the log was sealed under).</param>
/// <param name="Anchors">The anchors recorded outside the log.</param>
/// <param name="Published">The hub's object store (batch manifests, published versions), or null when there is none to read.</param>
/// <param name="Receipts">The hub's receipts, or null when there are none to read.</param>
/// <param name="Time">The hub's clock, which tells a version switched moments ago (its publication event still being written).</param>
public sealed record AuditTrail(IAuditLog Log, IAuditKeyProvider Keys, IAuditAnchorStore Anchors, IObjectStore? Published, IReceiptStore? Receipts, TimeProvider Time)
{
    /// <summary>
    /// Verifies every seal under the key, the log against every anchor (the anchor store's and the published manifests'),
    /// that the anchor store holds what the log says was anchored, and that every batch manifest, receipt and published
    /// version has its event.
    /// </summary>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">The log holds keyed events and the audit key cannot be had.</exception>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var unreadableAnchors = new List<string>();
        var stored = await Anchors.ReadAsync(unreadableAnchors.Add, cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        var anchors = new List<AuditAnchor>(stored);
        if (Published is not null)
        {
            anchors.AddRange(await new KpiVersions(Published).AnchorsAsync(cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false));
        }

        var (records, unreadable) = await new AuditRecords(Published, Receipts).ReadAsync(cancellationToken).ConfigureAwait(false);
        var evidence = new AuditEvidence(anchors)
        {
            AnchorStore = Anchors.Name,
            StoreAnchors = stored,
            UnreadableAnchors = unreadableAnchors,
            Records = records,
            UnreadableRecords = unreadable,
            Receipts = Receipts,
            Store = Published,
            Time = Time,
        };
        return await AuditVerifier.VerifyAsync(Log, Keys, evidence, cancellationToken).ConfigureAwait(false);
    }
}
