namespace DataHub.Core.Audit;

/// <summary>What a log found at its end before an append: its last event, its separately kept head, and its latest anchor.</summary>
/// <param name="Last">The last event, or null for an empty log.</param>
/// <param name="Head">The head the log keeps apart from its events, or null when it has none.</param>
/// <param name="LatestAnchor">The anchor recorded last outside the log, or null when there is none.</param>
public sealed record AuditTail(AuditEvent? Last, AuditHead? Head, AuditAnchor? LatestAnchor = null)
{
    /// <summary>The anchor store as messages name it, when it holds no anchor that can be read though the log holds anchored events (<see cref="AuditAnchoring.AnchorsGoneAsync"/>); null otherwise.</summary>
    public string? AnchorsGoneFrom { get; init; }
}

/// <summary>
/// Seals new events onto a log's end under the audit key, shared by every log so they keep one chain the same way. It
/// first checks the end can be chained to (the last event's seal holds, the head does not name a later event, the anchors
/// are still there), and refuses with <see cref="AuditChainBrokenException"/> otherwise: writing on would bury the damage
/// under new events.
/// A log that ends in legacy, unkeyed events gets an <see cref="AuditKinds.AuditKeyed"/> event first, which seals them.
/// </summary>
public sealed class AuditSealer(IAuditKeyProvider keys)
{
    private readonly IAuditKeyProvider _keys = keys ?? throw new ArgumentNullException(nameof(keys));

    /// <summary>The events to append for <paramref name="entry"/>: the transition event when the log is legacy, then the entry's event.</summary>
    /// <exception cref="AuditChainBrokenException">The log's end cannot be chained to.</exception>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">The audit key cannot be had.</exception>
    public async Task<IReadOnlyList<AuditEvent>> SealAsync(AuditEntry entry, AuditTail tail, DateTimeOffset time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tail);
        var key = await CheckSealableAsync(tail, cancellationToken).ConfigureAwait(false);
        var previous = tail.Last;
        var sealedEvents = new List<AuditEvent>(2);
        if (previous is { IsKeyed: false })
        {
            previous = AuditChain.Seal(
                new AuditEntry(AuditKinds.AuditKeyed, Rule: "audit.keyed", Detail: $"Events 1 to {previous.Sequence} were recorded by an earlier version without an audit key; from here every event is sealed under audit key {key.Version}."),
                previous,
                time,
                key);
            sealedEvents.Add(previous);
        }

        sealedEvents.Add(AuditChain.Seal(entry, previous, time, key));
        return sealedEvents;
    }

    /// <summary>Seals the record of a repair at the sequence after the lost events, chained to the last event that survived.</summary>
    public async Task<AuditEvent> SealRepairAsync(AuditEntry entry, AuditHead lastGood, long lostThrough, DateTimeOffset time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lastGood);
        var key = await _keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        return AuditChain.SealAt(entry, lostThrough + 1, lastGood.Hash, time, key);
    }

    /// <summary>
    /// Seals the records of a repair: the events lost from the end (numbered after them, chained to the last event that
    /// survived), then, when the anchors are gone too, their loss (chained to the record before it), so one write keeps both.
    /// </summary>
    /// <param name="loss">What verification found lost.</param>
    /// <param name="keptAt">Where the torn bytes were kept, or null.</param>
    /// <param name="tornSha256">SHA-256 of the torn bytes, or null.</param>
    /// <param name="tornBytes">How many torn bytes were kept.</param>
    /// <param name="time">When the repair is recorded.</param>
    /// <param name="cancellationToken">Cancels getting the key.</param>
    public async Task<IReadOnlyList<AuditEvent>> SealRepairsAsync(AuditEndLoss loss, string? keptAt, string? tornSha256, long tornBytes, DateTimeOffset time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var sealedEvents = new List<AuditEvent>(2);
        var previous = loss.LastGood;
        if (loss.EventsLost)
        {
            var lost = await SealRepairAsync(AuditRepair.Entry(loss, keptAt, tornSha256, tornBytes), loss.LastGood, loss.LostThrough, time, cancellationToken).ConfigureAwait(false);
            sealedEvents.Add(lost);
            previous = new AuditHead(lost.Sequence, lost.Hash);
        }

        if (loss.AnchorsLostFrom is { } store)
        {
            sealedEvents.Add(await SealRepairAsync(AuditRepair.AnchorsLostEntry(store, previous.Sequence), previous, previous.Sequence, time, cancellationToken).ConfigureAwait(false));
        }

        return sealedEvents;
    }

    /// <summary>What <see cref="SealAsync"/> checks before it seals: the current audit key can be had, and the end of the log can be chained to. Returns that key.</summary>
    /// <exception cref="Pseudonymisation.KeyUnavailableException">The current audit key cannot be read.</exception>
    /// <exception cref="AuditChainBrokenException">The end of the log cannot be chained to.</exception>
    public async Task<AuditKey> CheckSealableAsync(AuditTail tail, CancellationToken cancellationToken)
    {
        var key = await _keys.GetCurrentAsync(cancellationToken).ConfigureAwait(false);
        await CheckAsync(tail, cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>Checks that the end of a log can be chained to; throws what is wrong and how to fix it otherwise.</summary>
    /// <exception cref="AuditChainBrokenException">The last event fails its seal, or the head names a later or different event.</exception>
    public async Task CheckAsync(AuditTail tail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tail);
        var last = tail.Last;
        var lastSequence = last?.Sequence ?? 0;
        if (last is not null)
        {
            var key = last.IsKeyed ? await _keys.GetVersionAsync(last.KeyVersion!, cancellationToken).ConfigureAwait(false) : null;
            if (!AuditChain.HasValidSeal(last, key))
            {
                throw new AuditChainBrokenException($"The audit log's last event ({last.Sequence}) does not match its seal: it was changed after it was recorded.", AuditChainBrokenException.RestoreAdvice);
            }
        }

        if (tail.Head is { } head && head.Sequence > lastSequence)
        {
            throw new AuditChainBrokenException(
                $"The audit log ends at event {lastSequence} but its head records event {head.Sequence}: events were removed from its end.",
                AuditChainBrokenException.LossAdvice);
        }

        if (tail.LatestAnchor is { } anchor && anchor.Sequence > lastSequence)
        {
            throw new AuditChainBrokenException(
                lastSequence == 0
                    ? $"The audit log holds no events but {anchor.Source} records event {anchor.Sequence}: the log was deleted or emptied."
                    : $"The audit log ends at event {lastSequence} but {anchor.Source} records event {anchor.Sequence}: events were removed from its end.",
                AuditChainBrokenException.LossAdvice);
        }

        if (tail.Head is { } same && same.Sequence == lastSequence && lastSequence > 0 && !string.Equals(same.Hash, last!.Hash, StringComparison.Ordinal))
        {
            throw new AuditChainBrokenException($"The audit log's event {lastSequence} is not the one its head records: the log was rewritten.", AuditChainBrokenException.RestoreAdvice);
        }

        // Writing on would start new anchors, and the next verification could no longer tell a log cut at its end.
        if (tail.AnchorsGoneFrom is { } store)
        {
            throw new AuditChainBrokenException(
                $"The audit log holds anchored events but {store} holds no anchor that can be read: the anchors are gone (deleted or emptied), so events cut from the log's end could no longer be told.",
                AuditChainBrokenException.AnchorsAdvice);
        }
    }
}

/// <summary>
/// Raised when an audit log cannot take another event because its chain is broken at the end (a torn last line, events
/// missing, an event altered). Nothing was written (unless <see cref="Written"/> says what was); the message says what
/// was found and how to put it right.
/// </summary>
public sealed class AuditChainBrokenException : Exception
{
    /// <summary>Refuses with nothing written: the message is the finding, "Nothing was written." and the fix.</summary>
    /// <param name="finding">What is wrong with the log's end, never an event's content.</param>
    /// <param name="fix">What to run or restore.</param>
    public AuditChainBrokenException(string finding, string fix)
        : base($"{finding} Nothing was written. {fix}")
    {
        Finding = finding;
        Fix = fix;
    }

    private AuditChainBrokenException(string finding, string fix, string written, Exception inner)
        : base($"{finding} {written} {fix}", inner)
    {
        Finding = finding;
        Fix = fix;
        Written = written;
    }

    /// <summary>What is wrong with the log's end.</summary>
    public string Finding { get; }

    /// <summary>What to run or restore.</summary>
    public string Fix { get; }

    /// <summary>What the refused work had already written when the log refused it, or null when nothing was.</summary>
    public string? Written { get; }

    /// <summary>The same refusal met by work that had already written something: its message says what, not "Nothing was written".</summary>
    /// <param name="written">What was written and where it leaves the hub, by path or run id, never a value.</param>
    public AuditChainBrokenException After(string written) => new(Finding, Fix, Written is null ? written : written + " " + Written, this);

    /// <summary>The fix for a log whose last line was cut off mid-write.</summary>
    public const string RepairAdvice = "Run `datahub audit verify`, then `datahub audit repair` to keep the torn line aside and continue the chain (docs/runbook.md).";

    /// <summary>The fix for events missing from the end.</summary>
    public const string LossAdvice = "Restore the audit log from its backup; if there is none, `datahub audit verify` shows what is missing and `datahub audit repair --accept-loss` records the loss and continues the chain (add --azure for the Azure audit table; docs/runbook.md).";

    /// <summary>The fix for anchors gone while the log holds anchored events.</summary>
    public const string AnchorsAdvice = "Restore the anchors (anchors/ under the root, or the Azure anchor container) from their backup; if there is none, `datahub audit repair --accept-loss` records in the audit log that the anchors were lost and anchors it afresh, and the hub writes again (add --root DIR for a root other than the current folder, or --azure for the Azure hub; docs/runbook.md). A log of only legacy (unkeyed) events is never refused for this.";

    /// <summary>The fix for an event changed in place.</summary>
    public const string RestoreAdvice = "Run `datahub audit verify` (add --azure for the Azure audit table) to see where, and restore the audit log from its backup (docs/runbook.md).";
}
