namespace DataHub.Core.Audit;

/// <summary>The append-only audit trail: every step of every file, chained and sealed (local JSON Lines, or an Azure Table).</summary>
/// <remarks>
/// Implementations seal entries with <see cref="AuditSealer"/> under a lock so the chain has one order, and refuse with
/// <see cref="AuditChainBrokenException"/> to append to a log whose end is broken.
/// </remarks>
public interface IAuditLog
{
    /// <summary>Records an entry as the next event and returns it sealed.</summary>
    /// <exception cref="AuditChainBrokenException">The log's end is broken: nothing was written.</exception>
    Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Checks, without writing, that the log can take another event: the same checks <see cref="AppendAsync"/> makes
    /// (the current audit key can be read; the last line is not torn or unreadable, no events are missing from the end,
    /// the anchors are there). Work that makes something visible before its event calls it first, so it is refused before
    /// anything is written.
    /// </summary>
    /// <exception cref="AuditChainBrokenException">The log's end cannot be chained to: the message says why and what to run.</exception>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">The current audit key cannot be read (as the append would find).</exception>
    Task CheckWritableAsync(CancellationToken cancellationToken);

    /// <summary>Every event in recorded order.</summary>
    /// <exception cref="AuditLineException">A stored line cannot be read back as an event (the log's last line may be torn).</exception>
    IAsyncEnumerable<AuditEvent> ReadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Every event that can be read back, in recorded order, passing over each stored line that cannot (damaged inside the
    /// log, or torn at its end) and telling <paramref name="unreadable"/> where it is, never its content: the sequence of the
    /// last event read before it (0 when none was), as <see cref="AuditVerifier"/> says "after event N", so the two agree
    /// when sequences jump after a repair. For work that reports on the log whatever its state.
    /// </summary>
    IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, CancellationToken cancellationToken);

    /// <summary>The separately kept head (last sequence and seal), or null when the log keeps none or is empty.</summary>
    Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Seals a loss at the log's end that verification found (<see cref="AuditVerification.EndLoss"/>) with an
    /// <see cref="AuditKinds.AuditRepaired"/> event numbered after the lost events (<see cref="AuditSealer.SealRepairAsync"/>),
    /// so the chain continues and verification knows what is gone. Returns that event.
    /// </summary>
    /// <exception cref="InvalidOperationException">The log's end changed since it was verified: verify again.</exception>
    Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken);
}

/// <summary>Raised when a stored audit line cannot be read back as an event.</summary>
/// <param name="message">What is wrong with the line, never its content.</param>
/// <param name="torn">True when it is the log's last line, cut off mid-write (incomplete JSON, no line end after it).</param>
/// <param name="inner">The parse failure.</param>
public sealed class AuditLineException(string message, bool torn, Exception? inner = null) : FormatException(message, inner)
{
    /// <summary>True when the line is the log's last, cut off mid-write: `audit repair` can keep it aside and seal the chain.</summary>
    public bool Torn { get; } = torn;
}
