namespace DataHub.Core.Audit;

/// <summary>What a step wants recorded: the audit log adds the sequence, time and hash chain.</summary>
/// <param name="Kind">What happened, from <see cref="AuditKinds"/>.</param>
/// <param name="Partner">The sending partner, when known.</param>
/// <param name="Feed">The feed, when known.</param>
/// <param name="Agreement">The data-sharing agreement the decision rests on ("none" when the partner has none).</param>
/// <param name="FileSha256">The landed file's content hash, once computed.</param>
/// <param name="Path">The object the step concerned (a path, never content).</param>
/// <param name="BatchId">The ingest batch, once assigned.</param>
/// <param name="Rule">The rule code behind a decision (e.g. "protocol.expired").</param>
/// <param name="Detail">A sentence for the governance board; never an identifier's value.</param>
/// <param name="Counts">Named counts (rows_accepted, rows_rejected, bytes, …).</param>
/// <param name="DurationMs">How long the step took.</param>
/// <param name="LabelKeyVersion">
/// The pseudonymisation key version the label in <paramref name="Path"/> was made under (a <c>received</c> event's), so the
/// deliveries table can tell labels of one file under two keys apart; a version id, never key material. Null in events
/// that carry no label and in events written before it was recorded.
/// </param>
public sealed record AuditEntry(
    string Kind,
    string? Partner = null,
    string? Feed = null,
    string? Agreement = null,
    string? FileSha256 = null,
    string? Path = null,
    string? BatchId = null,
    string? Rule = null,
    string? Detail = null,
    IReadOnlyDictionary<string, long>? Counts = null,
    long? DurationMs = null,
    string? LabelKeyVersion = null);

/// <summary>An entry as recorded: numbered, timed and chained to the previous event by its seal.</summary>
/// <param name="Sequence">1 for the first event, then consecutive (a repair that records lost events skips their numbers).</param>
/// <param name="Time">When it was recorded (UTC).</param>
/// <param name="Entry">What was recorded.</param>
/// <param name="PreviousHash">The previous event's <paramref name="Hash"/>, or 64 zeros for the first.</param>
/// <param name="Hash">
/// The event's seal (lowercase hex) over its canonical JSON without the seal itself: HMAC-SHA256 under the audit key
/// version <paramref name="KeyVersion"/>, or, for a legacy event (no key version), a plain SHA-256 that anyone could recompute.
/// </param>
/// <param name="KeyVersion">The audit key version the seal was made with; null for a legacy, unkeyed event.</param>
public sealed record AuditEvent(long Sequence, DateTimeOffset Time, AuditEntry Entry, string PreviousHash, string Hash, string? KeyVersion = null)
{
    /// <summary>True when the event is sealed under the audit key (not a legacy, unkeyed event).</summary>
    public bool IsKeyed => KeyVersion is not null;
}

/// <summary>The kinds of audit event, as written in the log.</summary>
public static class AuditKinds
{
    /// <summary>A file arrived in landing.</summary>
    public const string Received = "received";

    /// <summary>The landing path was malformed or outside landing; nothing was read.</summary>
    public const string PathRefused = "path_refused";

    /// <summary>
    /// The file is at the landing path of the earlier attempt the content's receipt records, whose label was made under an
    /// earlier key version: its detail names that attempt's safe path, whose label differs from the file's label now. After
    /// an attempt that failed or stopped the file is its retry; after one that stored the content it is its retry if that
    /// attempt stopped before archiving its landing copy, else the same file sent again, and the detail says so.
    /// </summary>
    public const string Retry = "retry";

    /// <summary>The agreement was checked: allowed or refused, citing it.</summary>
    public const string ProtocolDecision = "protocol_decision";

    /// <summary>The same content was already stored: not processed again; the copy joins that batch's raw archive.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>Another worker holds the claim on the same content: nothing done.</summary>
    public const string InProgress = "in_progress";

    /// <summary>The file was parsed and validated: row counts.</summary>
    public const string Validated = "validated";

    /// <summary>Some rows were rejected (within or beyond the tolerance).</summary>
    public const string RowsRejected = "rows_rejected";

    /// <summary>Identifiers were turned into tokens and dropped: key version and token counts.</summary>
    public const string Pseudonymised = "pseudonymised";

    /// <summary>A mart file was committed.</summary>
    public const string Written = "written";

    /// <summary>A report was written (rejection report or row-error report).</summary>
    public const string Reported = "reported";

    /// <summary>The processed landing file was moved to the raw archive.</summary>
    public const string Archived = "archived";

    /// <summary>The file was moved to quarantine with its report.</summary>
    public const string Quarantined = "quarantined";

    /// <summary>An attempt failed unexpectedly; it will be retried.</summary>
    public const string Failed = "failed";

    /// <summary>
    /// A landed version was replaced (or changed in place) before the hub could read it whole: nothing of it was stored,
    /// and the version now in landing is handled on its own.
    /// </summary>
    public const string Superseded = "superseded";

    /// <summary>Attempts kept failing: the file was quarantined with the error.</summary>
    public const string Poisoned = "poisoned";

    /// <summary>An object was deleted under a retention rule (or an abandoned rollup version was cleared).</summary>
    public const string Deleted = "deleted";

    /// <summary>A rollup published a new version of the KPI tables.</summary>
    public const string KpiPublished = "kpi_published";

    /// <summary>A rollup refused to publish (no cohort, an unreadable mart, mixed key versions): nothing was switched.</summary>
    public const string KpiRefused = "kpi_refused";

    /// <summary>A key (pseudonymisation or audit) was created.</summary>
    public const string KeyCreated = "key_created";

    /// <summary>A new pseudonymisation key version was made current.</summary>
    public const string KeyRotated = "key_rotated";

    /// <summary>The first keyed event after legacy, unkeyed ones: it seals them under the audit key.</summary>
    public const string AuditKeyed = "audit_keyed";

    /// <summary>Events lost at the log's end (a torn last line, or a loss the operator accepted) were recorded and the chain continued.</summary>
    public const string AuditRepaired = "audit_repaired";
}
