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
/// <param name="Published">The store holding published/kpi/ manifests, or null when there is none to read.</param>
public sealed record AuditTrail(IAuditLog Log, IAuditKeyProvider Keys, IAuditAnchorStore Anchors, IObjectStore? Published)
{
    /// <summary>Verifies every seal under the key and the log against every anchor: the anchor store's and the published manifests'.</summary>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">The log holds keyed events and the audit key cannot be had.</exception>
    public async Task<AuditVerification> VerifyAsync(CancellationToken cancellationToken)
    {
        var anchors = await Anchors.ReadAsync(cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false);
        if (Published is not null)
        {
            anchors.AddRange(await new KpiVersions(Published).AnchorsAsync(cancellationToken).ToListAsync(cancellationToken).ConfigureAwait(false));
        }

        return await AuditVerifier.VerifyAsync(Log, Keys, anchors, cancellationToken).ConfigureAwait(false);
    }
}
