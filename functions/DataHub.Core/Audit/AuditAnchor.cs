namespace DataHub.Core.Audit;

/// <summary>A record, kept outside the audit log, that the log once reached an event with a given seal.</summary>
/// <param name="Sequence">The event's sequence number.</param>
/// <param name="Hash">The event's seal.</param>
/// <param name="Source">Where the record is kept, for messages (e.g. "anchors/audit-anchors.jsonl line 12").</param>
public sealed record AuditAnchor(long Sequence, string Hash, string Source);

/// <summary>
/// Keeps the audit head where deleting or truncating the log cannot reach it (a file outside the audit folder, Azure
/// immutable blob storage), so `audit verify` can tell a log cut short, or gone, from one that never went further.
/// </summary>
public interface IAuditAnchorStore
{
    /// <summary>Records that the log has reached <paramref name="sealedEvent"/> (its sequence, seal, kind and time).</summary>
    Task RecordAsync(AuditEvent sealedEvent, CancellationToken cancellationToken);

    /// <summary>The anchor recorded last, or null when there is none: cheap, so writers check it before every append.</summary>
    Task<AuditAnchor?> LatestAsync(CancellationToken cancellationToken);

    /// <summary>Every anchor recorded; a record that cannot be read is skipped.</summary>
    IAsyncEnumerable<AuditAnchor> ReadAsync(CancellationToken cancellationToken) => ReadAsync(_ => { }, cancellationToken);

    /// <summary>Every anchor recorded, in one pass; a record that cannot be read as an anchor (a line cut off by a crash, or
    /// altered) is skipped and named to <paramref name="unreadable"/> as messages name it.</summary>
    IAsyncEnumerable<AuditAnchor> ReadAsync(Action<string> unreadable, CancellationToken cancellationToken);

    /// <summary>The store as messages name it ("anchors/audit-anchors.jsonl", "the anchor container audit-anchors").</summary>
    string Name { get; }
}

/// <summary>
/// When a log records an anchor: at every event that can end a command (a file archived, quarantined, refused, a
/// duplicate, a failure, a publication, a deletion, a key change), so a command's last event is always anchored and
/// cutting it from the log's end shows. Only the kinds that are always followed by another event of the same command
/// are left unanchored: anchoring them would add a write per event and no evidence a later anchor does not give.
/// </summary>
public static class AuditAnchoring
{
    // A kind not listed here (including any added later) is anchored: forgetting to list one costs a write, never evidence.
    private static readonly HashSet<string> AlwaysFollowed = new(StringComparer.Ordinal)
    {
        AuditKinds.Received,
        AuditKinds.ProtocolDecision,
        AuditKinds.Validated,
        AuditKinds.RowsRejected,
        AuditKinds.Pseudonymised,
        AuditKinds.Written,
        AuditKinds.Reported,
        AuditKinds.AuditKeyed,
    };

    /// <summary>True when an event of <paramref name="kind"/> can end a command and is anchored.</summary>
    public static bool EndsStep(string kind) => !AlwaysFollowed.Contains(kind);
}
