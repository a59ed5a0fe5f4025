using System.Globalization;

namespace DataHub.Core.Audit;

/// <summary>
/// The rules `audit repair` follows whichever store keeps the log: only damage at the log's end is sealed (a torn last
/// line, or, when the operator accepts it, events lost from the end or every anchor lost); the loss is recorded as a keyed
/// event numbered after the lost events (after the head, for anchors), so verification knows exactly what is gone.
/// Damage inside the log is never repaired, only restored.
/// </summary>
public static class AuditRepair
{
    /// <summary>The count naming the first lost sequence number.</summary>
    public const string LostFrom = "lost_from";

    /// <summary>The count naming the last lost sequence number.</summary>
    public const string LostTo = "lost_to";

    /// <summary>The count of torn bytes kept aside.</summary>
    public const string TornBytes = "torn_bytes";

    /// <summary>The count naming the last event whose anchors were lost (the log's head when the loss was recorded).</summary>
    public const string AnchorsLostThrough = "anchors_lost_through";

    /// <summary>The count of the hub's records the log did not account for when events were lost with the anchors.</summary>
    public const string RecordsUnaccounted = "records_unaccounted";

    /// <summary>The rule of the event that records one torn event and nothing else lost: it excuses no record.</summary>
    public const string TornLineRule = "audit.torn_line";

    /// <summary>The rule of the event that records every anchor lost.</summary>
    public const string AnchorsLostRule = "audit.anchors_lost";

    /// <summary>Why a verification's finding cannot be repaired as asked, or null when it can.</summary>
    /// <param name="verification">What verification found.</param>
    /// <param name="acceptLoss">Whether the operator accepts a loss.</param>
    /// <param name="target">The option naming the audit trail in the repair command shown ("--root DIR" or "--azure"), or empty.</param>
    public static string? Refusal(AuditVerification verification, bool acceptLoss, string target = "")
    {
        ArgumentNullException.ThrowIfNull(verification);
        ArgumentNullException.ThrowIfNull(target);
        var repair = target.Length == 0 ? "`datahub audit repair --accept-loss`" : $"`datahub audit repair --accept-loss {target}`";
        if (verification.Intact)
        {
            return null;
        }

        if (verification.EndLoss is not { } loss)
        {
            return $"The chain is broken inside the log, or the hub holds records a loss at its end does not explain ({verification.Message}): `audit repair` only seals a torn last line, events lost from the end and anchors lost. Restore the audit log and its anchors from their backup (docs/runbook.md).";
        }

        var from = loss.LastGood.Sequence + 1;
        var records = loss.RecordsUnaccounted > 0 ? $" The hub holds {Records(loss.RecordsUnaccounted)} the log does not account for: events were cut from its end." : string.Empty;

        // Anchors gone are never only a crash: whatever else is lost with them, the operator accepts their loss or restores them.
        if (loss.AnchorsLostFrom is { } store)
        {
            var also = loss.Torn && loss.LostThrough == from
                ? " The log's last line is torn as well."
                : loss.LostThrough > from || (loss.EventsLost && loss.RecordsUnaccounted == 0) ? $" {Missing(from, loss.LostThrough)} from the log's end as well." : string.Empty;
            return acceptLoss
                ? null
                : $"The log holds anchored events but {store} holds no anchor that can be read: the anchors are gone.{also}{records} Restore them from their backup; if there is none, {repair} records {(loss.EventsLost ? "both losses" : "their loss")} in the log and anchors it afresh.";
        }

        // A torn line with records the log does not account for is a cut, not a crash: the operator accepts its loss.
        return loss.OnlyTorn || acceptLoss
            ? null
            : $"{(loss.Torn && loss.LostThrough == from ? "The log's last line is torn." : $"{Missing(from, loss.LostThrough)}, not just a torn line.")}{records} Restore the audit log from its backup; if there is none, {repair} records the loss and continues the chain.";
    }

    /// <summary>The entry that records every anchor lost while the log's head was event <paramref name="head"/>.</summary>
    /// <param name="store">The anchor store as messages name it.</param>
    /// <param name="head">The last event before this record (a loss recorded just before it, if any).</param>
    public static AuditEntry AnchorsLostEntry(string store, long head) =>
        new(
            AuditKinds.AuditRepaired,
            Rule: AnchorsLostRule,
            Detail: string.Create(CultureInfo.InvariantCulture, $"The anchors kept outside the log ({store}) were lost: none could be read when the log's head was event {head}, and the loss was accepted by the operator. Events 1 to {head} can no longer be checked against anchors (events cut from the log's end before this one would not show); from this event the log is anchored afresh."),
            Counts: new Dictionary<string, long>(StringComparer.Ordinal) { [AnchorsLostThrough] = head });

    /// <summary>The entry that records events lost from the end (a torn line, events missing), and where any torn bytes were kept; anchors lost are recorded by <see cref="AnchorsLostEntry"/>.</summary>
    /// <param name="loss">What was lost.</param>
    /// <param name="keptAt">Where the torn bytes were kept, or null when there were none.</param>
    /// <param name="tornSha256">SHA-256 of the torn bytes, or null.</param>
    /// <param name="tornBytes">How many torn bytes were kept.</param>
    public static AuditEntry Entry(AuditEndLoss loss, string? keptAt, string? tornSha256, long tornBytes)
    {
        ArgumentNullException.ThrowIfNull(loss);
        var from = loss.LastGood.Sequence + 1;
        var what = loss.OnlyTorn
            ? string.Create(CultureInfo.InvariantCulture, $"Event {from} was torn (its write was cut off); its bytes were kept at {keptAt}.")
            : string.Create(CultureInfo.InvariantCulture, $"{(from == loss.LostThrough ? $"Event {from} was" : $"Events {from} to {loss.LostThrough} were")} lost from the log's end and the loss was accepted by the operator{(keptAt is null ? "." : $"; the torn last line was kept at {keptAt}.")}");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            [LostFrom] = from,
            [LostTo] = loss.LostThrough,
        };

        // A torn line or an anchor shows only where a cut began; the hub's records show it went further: their count is
        // recorded, never their names.
        if (loss.RecordsUnaccounted > 0)
        {
            what += string.Create(CultureInfo.InvariantCulture, $" The hub held {Records(loss.RecordsUnaccounted)} the log did not account for: the events recording them were cut from the log's end, so events after event {loss.LostThrough} may have been lost too; the log cannot tell how many.");
            counts[RecordsUnaccounted] = loss.RecordsUnaccounted;
        }

        if (keptAt is not null)
        {
            counts[TornBytes] = tornBytes;
        }

        return new AuditEntry(AuditKinds.AuditRepaired, Path: keptAt, FileSha256: tornSha256, Rule: loss.OnlyTorn ? TornLineRule : "audit.loss_accepted", Detail: what + " The chain continues from event " + loss.LastGood.Sequence.ToString(CultureInfo.InvariantCulture) + ".", Counts: counts);
    }

    private static string Missing(long from, long to) =>
        from == to ? string.Create(CultureInfo.InvariantCulture, $"Event {from} is missing") : string.Create(CultureInfo.InvariantCulture, $"Events {from} to {to} are missing");

    private static string Records(int count) => count == 1 ? "a record" : string.Create(CultureInfo.InvariantCulture, $"{count} records");
}
