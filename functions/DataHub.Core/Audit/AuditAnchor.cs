namespace DataHub.Core.Audit;

/// <summary>A record, kept outside the audit log, that the log once reached an event with a given seal.</summary>
/// <param name="Sequence">The event's sequence number.</param>
/// <param name="Hash">The event's seal.</param>
/// <param name="Source">Where the record is kept, for messages (e.g. "anchors/audit-anchors.jsonl line 12").</param>
public sealed record AuditAnchor(long Sequence, string Hash, string Source)
{
    /// <summary>
    /// True when <paramref name="sequence"/> and <paramref name="hash"/> can be an event's anchor: a sequence from 1 and a
    /// SHA-256 seal in lower-case hex. Anything else is unreadable, so a made-up record cannot stand for the anchors.
    /// </summary>
    public static bool CanName(long sequence, string? hash) =>
        sequence >= 1 && hash is { Length: 64 } && hash.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');
}

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
        AuditKinds.Retry,
        AuditKinds.Validated,
        AuditKinds.RowsRejected,
        AuditKinds.Pseudonymised,
        AuditKinds.Written,
        AuditKinds.Reported,
        AuditKinds.AuditKeyed,
    };

    /// <summary>True when an event of <paramref name="kind"/> can end a command and is anchored.</summary>
    public static bool EndsStep(string kind) => !AlwaysFollowed.Contains(kind);

    /// <summary>True when <paramref name="e"/> was anchored when it was written: a keyed event of a kind that can end a command.</summary>
    public static bool WasAnchored(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.IsKeyed && EndsStep(e.Entry.Kind);
    }

    /// <summary>
    /// How long an anchored event may be without its anchor before the anchors count as gone: on Azure a writer records
    /// its anchor after its commit, outside any lock, so other instances may commit anchored events before the first anchor.
    /// </summary>
    public static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    /// <summary>True when <paramref name="e"/> was anchored and its time is more than <see cref="Grace"/> either side of <paramref name="now"/>: its anchor should be there.</summary>
    public static bool ShouldBeAnchored(AuditEvent e, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(e);

        // Either side: an event stamped ahead by a clock since set back is no more a racing writer's than an old one.
        return WasAnchored(e) && (now - e.Time).Duration() > Grace;
    }

    /// <summary>
    /// True when <paramref name="anchors"/> holds no anchor that can be read though <paramref name="events"/> holds an
    /// anchored event further than <see cref="Grace"/> from now (older, or stamped ahead by a clock since set back): the
    /// anchors were deleted or emptied. Cheap while anchors exist (the latest one is already in hand); only a store with
    /// none has the log read, up to its first such event.
    /// </summary>
    /// <param name="anchors">The anchor store.</param>
    /// <param name="latest">The store's latest anchor, already read by the writer.</param>
    /// <param name="events">The log's events, read only when the store has no anchor.</param>
    /// <param name="now">The time by which events are weighed against <see cref="Grace"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    public static async Task<bool> AnchorsGoneAsync(IAuditAnchorStore anchors, AuditAnchor? latest, Func<IAsyncEnumerable<AuditEvent>> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(events);
        if (latest is not null)
        {
            return false;
        }

        // The latest record may be a line cut off by a crash: any earlier one that reads is an anchor still there.
        await foreach (var _ in anchors.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        // Anchored events from the last few minutes may be without anchors while their writers record them (several
        // Azure instances on a fresh hub); an older one without any anchor is no race. A crash between an event and its
        // anchor leaves the same state once the grace has passed: `audit repair --accept-loss` records it.
        await foreach (var e in events().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (ShouldBeAnchored(e, now))
            {
                return true;
            }
        }

        return false;
    }
}
