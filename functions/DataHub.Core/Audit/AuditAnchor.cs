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

    /// <summary>Every anchor recorded (an unreadable record is skipped: anchors only ever add evidence).</summary>
    IAsyncEnumerable<AuditAnchor> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>When a log records an anchor: at the events that end a step, so each completed file, publication or key change is anchored.</summary>
public static class AuditAnchoring
{
    private static readonly HashSet<string> StepEnds = new(StringComparer.Ordinal)
    {
        AuditKinds.Archived,
        AuditKinds.Quarantined,
        AuditKinds.PathRefused,
        AuditKinds.Deleted,
        AuditKinds.KeyCreated,
        AuditKinds.KeyRotated,
        AuditKinds.AuditRepaired,
        AuditKinds.KpiPublished,
        AuditKinds.KpiRefused,
    };

    /// <summary>True when an event of <paramref name="kind"/> ends a step and is anchored.</summary>
    public static bool EndsStep(string kind) => StepEnds.Contains(kind);
}
