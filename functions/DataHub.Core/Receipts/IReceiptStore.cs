using DataHub.Core.Hub;

namespace DataHub.Core.Receipts;

/// <summary>A file's identity for de-duplication: who sent it, for which feed, and its content hash (not its name).</summary>
public sealed record ReceiptKey(string Partner, string Feed, string Sha256)
{
    /// <summary>A stable string form, used as a storage key: "{partner}/{feed}/{sha256}".</summary>
    public override string ToString() => $"{Partner}/{Feed}/{Sha256}";
}

/// <summary>Where a file's processing stands.</summary>
public enum ReceiptState
{
    /// <summary>A worker has claimed it and is processing it.</summary>
    Processing,

    /// <summary>Processed to an end: stored, or quarantined with a report.</summary>
    Completed,

    /// <summary>The last attempt failed unexpectedly (or was given up); it may be retried.</summary>
    Failed,
}

/// <summary>Who holds a claim: the process and a token of its own for this one claim.</summary>
/// <param name="Process">The claiming process, so a claim whose process has gone can be taken over at once.</param>
/// <param name="Token">Random per claim: tells two claims of one process apart.</param>
public sealed record ClaimOwner(ProcessIdentity Process, string Token)
{
    /// <summary>A new claim of this process.</summary>
    public static ClaimOwner New() => new(ProcessIdentity.Current, Guid.NewGuid().ToString("N"));
}

/// <summary>The stored record of one file's processing.</summary>
/// <param name="Key">Which file.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">How many attempts have been claimed (1 for the first).</param>
/// <param name="FailedAttempts">How many attempts failed unexpectedly (or died) since the content was last delivered.</param>
/// <param name="ClaimedAt">When the current attempt was claimed.</param>
/// <param name="Outcome">How it ended ("stored", "quarantined"), once completed.</param>
/// <param name="BatchId">The batch the content was stored or quarantined as.</param>
/// <param name="LastError">The last failure's message (a type and a sentence, never a value or a file name).</param>
/// <param name="SourcePath">The landing path it arrived at, in its safe form (the file name is never kept).</param>
/// <param name="Owner">Who holds the current attempt's claim (once completed, who completed it).</param>
/// <param name="RenewedAt">When the holder last showed it was alive (its heartbeat); the lease runs from here.</param>
/// <param name="LabelKeyVersion">The key version <paramref name="SourcePath"/>'s label was made under (null when not recorded).</param>
public sealed record Receipt(
    ReceiptKey Key,
    ReceiptState State,
    int Attempts,
    int FailedAttempts,
    DateTimeOffset ClaimedAt,
    string? Outcome,
    string? BatchId,
    string? LastError,
    string? SourcePath,
    ClaimOwner? Owner = null,
    DateTimeOffset? RenewedAt = null,
    string? LabelKeyVersion = null);

/// <summary>The answer to a claim.</summary>
public enum ClaimStatus
{
    /// <summary>The caller now owns processing of this content.</summary>
    Claimed,

    /// <summary>The content was already stored: a duplicate, nothing to do.</summary>
    AlreadyCompleted,

    /// <summary>Another worker's claim is still live: nothing to do now.</summary>
    HeldByAnother,
}

/// <summary>The result of <see cref="IReceiptStore.TryClaimAsync"/>, with the receipt as it now stands.</summary>
/// <param name="Status">What the claim got.</param>
/// <param name="Receipt">The receipt as it now stands.</param>
/// <param name="Previous">
/// The existing receipt as the claim found it (one it replaced, see <see cref="ReceiptRules.Reclaim"/>, or one completed or
/// held by another): whose attempt it was, and at which landing path (in its safe form) that attempt had received the
/// content. Null for a first claim.
/// </param>
public sealed record ClaimResult(ClaimStatus Status, Receipt Receipt, Receipt? Previous = null);

/// <summary>A claim being asked for.</summary>
/// <param name="SourcePath">The landing path, in its safe form.</param>
/// <param name="Owner">Who asks.</param>
/// <param name="Now">The time of asking.</param>
/// <param name="Lease">How long a claim stays live without a heartbeat.</param>
/// <param name="LabelKeyVersion">The key version the safe path's label was made under.</param>
public sealed record ClaimRequest(string SourcePath, ClaimOwner Owner, DateTimeOffset Now, TimeSpan Lease, string? LabelKeyVersion = null);

/// <summary>
/// Records which files have been processed, so the same content delivered twice (even concurrently) is processed once,
/// and counts failed attempts so a file that keeps failing can be quarantined as poison.
/// </summary>
public interface IReceiptStore
{
    /// <summary>
    /// Claims the content for processing. Creating the receipt is atomic (create-if-absent), so of two concurrent claims
    /// exactly one wins. A failed receipt, a quarantined one (a new delivery is a new chance), or a processing claim whose
    /// lease has lapsed or whose process has gone is taken over as a new attempt (see <see cref="ReceiptRules.Reclaim"/>).
    /// </summary>
    Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to the stored receipt atomically: no other claim or update lands between reading the
    /// receipt and writing its change. A change that returns null leaves the receipt as it is (and null is returned).
    /// The decisions themselves are <see cref="ReceiptRules"/>'; <see cref="ReceiptUpdates"/> names the ones the hub makes.
    /// </summary>
    /// <exception cref="InvalidOperationException">The content was never claimed: there is no receipt to change.</exception>
    Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken);

    /// <summary>The receipt for the content, or null when it was never claimed.</summary>
    Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Every receipt held, in no set order (`audit verify` checks each against the audit log). A receipt that cannot be read
    /// is skipped and passed to <paramref name="unreadable"/>, named by partner, feed and the first 16 hex digits of its
    /// hash (or its storage key when those cannot be had), never by a landed file's name.
    /// </summary>
    IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, CancellationToken cancellationToken);

    /// <summary>
    /// The fence around a step others can see (a batch's commit): renews <paramref name="owner"/>'s claim and runs
    /// <paramref name="step"/>, or throws <see cref="ClaimLostException"/> when the claim has passed to another worker. A
    /// store that can hold its lock across the step keeps every other change to the receipt (a takeover, clean-up) out
    /// until the step ends, so the renewal and the step are one; one that cannot (a table beside blob storage) renews
    /// first, and the step's own conditional requests must stop a worker that stalls between the two.
    /// </summary>
    /// <exception cref="ClaimLostException">The claim is no longer <paramref name="owner"/>'s; the step did not run.</exception>
    Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken);
}

/// <summary>The decision rules shared by every receipt store, so local and Azure stores agree.</summary>
public static class ReceiptRules
{
    /// <summary>The outcome of a receipt whose content was stored in the mart.</summary>
    public const string Stored = "stored";

    /// <summary>The outcome of a receipt whose content was quarantined with its report.</summary>
    public const string Quarantined = "quarantined";

    /// <summary>The receipt a first claim creates.</summary>
    public static Receipt NewClaim(ReceiptKey key, ClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(key, ReceiptState.Processing, 1, 0, request.Now, null, null, null, request.SourcePath, request.Owner, request.Now, request.LabelKeyVersion);
    }

    /// <summary>True while a processing claim is honoured: its lease has not lapsed and its process is not known to be gone.</summary>
    public static bool IsLive(Receipt receipt, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return receipt.State == ReceiptState.Processing
            && now - (receipt.RenewedAt ?? receipt.ClaimedAt) < lease
            && receipt.Owner?.Process.IsGone() != true;
    }

    /// <summary>
    /// Given the existing receipt, what a new claim gets: a duplicate (only when the content was stored), a live claim
    /// held by another worker, or a takeover (the receipt to store for the new attempt).
    /// </summary>
    public static (ClaimStatus Status, Receipt Receipt) Reclaim(Receipt existing, ClaimRequest request)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(request);
        if (existing.State == ReceiptState.Completed && existing.Outcome == Stored)
        {
            return (ClaimStatus.AlreadyCompleted, existing);
        }

        if (existing.State == ReceiptState.Processing && existing.Owner is not null && string.Equals(existing.Owner.Token, request.Owner.Token, StringComparison.Ordinal))
        {
            // This very claim, already made: its first request landed and its answer was lost, so the store's retry met it.
            return (ClaimStatus.Claimed, existing);
        }

        if (IsLive(existing, request.Now, request.Lease))
        {
            return (ClaimStatus.HeldByAnother, existing);
        }

        return (ClaimStatus.Claimed, existing with
        {
            State = ReceiptState.Processing,
            Attempts = existing.Attempts + 1,

            // A quarantined file delivered again starts afresh; a processing claim that lapsed means its worker died
            // mid-attempt, which counts as a failure (a file that kills its worker every time ends as poison).
            FailedAttempts = existing.State switch
            {
                ReceiptState.Completed => 0,
                ReceiptState.Processing => existing.FailedAttempts + 1,
                _ => existing.FailedAttempts,
            },
            Outcome = null,
            ClaimedAt = request.Now,
            RenewedAt = request.Now,
            SourcePath = request.SourcePath,
            LabelKeyVersion = request.LabelKeyVersion,
            Owner = request.Owner,
        });
    }

    /// <summary>The receipt after a heartbeat, or null when the claim is no longer <paramref name="owner"/>'s.</summary>
    public static Receipt? Renew(Receipt existing, ClaimOwner owner, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return Holds(existing, owner) ? existing with { RenewedAt = now } : null;
    }

    /// <summary>The receipt after <paramref name="owner"/>'s attempt ends without completing, or null when the claim is no longer its own.</summary>
    public static Receipt? Fail(Receipt existing, ClaimOwner owner, string error, bool counted)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return Holds(existing, owner)
            ? existing with { State = ReceiptState.Failed, FailedAttempts = existing.FailedAttempts + (counted ? 1 : 0), LastError = error }
            : null;
    }

    /// <summary>
    /// The receipt once <paramref name="owner"/>'s attempt completed with <paramref name="outcome"/> as <paramref name="batchId"/>,
    /// or null when the claim is no longer its own (it stalled past its lease and another worker took over).
    /// </summary>
    /// <remarks>
    /// The completed receipt keeps the owner that completed it, so a completion whose answer was lost (the store's retry
    /// meets the receipt already completed) is recognised as this owner's own and not taken for a lost claim.
    /// </remarks>
    public static Receipt? Complete(Receipt existing, ClaimOwner owner, string outcome, string batchId)
    {
        ArgumentNullException.ThrowIfNull(existing);
        ArgumentNullException.ThrowIfNull(owner);
        if (existing.State == ReceiptState.Completed && existing.Outcome == outcome && existing.BatchId == batchId
            && existing.Owner is not null && string.Equals(existing.Owner.Token, owner.Token, StringComparison.Ordinal))
        {
            return existing;
        }

        return Holds(existing, owner) ? existing with { State = ReceiptState.Completed, Outcome = outcome, BatchId = batchId, Owner = owner } : null;
    }

    /// <summary>
    /// The receipt once clean-up has given up a lapsed claim (its worker died or stalled past its lease), counted as a failed
    /// attempt as a takeover would count it; null when there is nothing to give up (a live claim, or no claim at all).
    /// </summary>
    /// <remarks>
    /// Giving the claim up before deleting the claim's uncommitted files means a worker that was only stalled can no longer
    /// complete the receipt: it finds its claim lost and withdraws whatever it commits late.
    /// </remarks>
    public static Receipt? Abandon(Receipt existing, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return existing.State == ReceiptState.Processing && !IsLive(existing, now, lease)
            ? existing with { State = ReceiptState.Failed, FailedAttempts = existing.FailedAttempts + 1, LastError = "The worker's claim lapsed before it committed; clean-up gave it up." }
            : null;
    }

    // A receipt without an owner predates owners: whoever works on it holds it.
    private static bool Holds(Receipt receipt, ClaimOwner owner) =>
        receipt.State == ReceiptState.Processing && (receipt.Owner is null || string.Equals(receipt.Owner.Token, owner?.Token, StringComparison.Ordinal));
}
