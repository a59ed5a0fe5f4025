using DataHub.Core.Audit;

namespace DataHub.Testing;

/// <summary>
/// Seals audit events the way the chain was sealed before the audit key (a plain SHA-256 anyone can recompute): for
/// legacy logs, and for a forger re-chaining a log without the key. No production code writes these any more.
/// </summary>
public static class UnkeyedAudit
{
    /// <summary>The unkeyed event after <paramref name="previous"/> (null for the first).</summary>
    public static AuditEvent Seal(AuditEntry entry, AuditEvent? previous, DateTimeOffset time)
    {
        var unsealed = new AuditEvent((previous?.Sequence ?? 0) + 1, time.ToUniversalTime(), entry, previous?.Hash ?? AuditChain.Genesis, string.Empty);
        return unsealed with { Hash = AuditChain.ComputeHash(unsealed) };
    }
}
