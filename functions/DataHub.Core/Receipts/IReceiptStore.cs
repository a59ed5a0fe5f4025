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

    /// <summary>The last attempt failed unexpectedly; it may be retried.</summary>
    Failed,
}

/// <summary>The stored record of one file's processing.</summary>
/// <param name="Key">Which file.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Attempts">How many attempts have been claimed (1 for the first).</param>
/// <param name="FailedAttempts">How many attempts failed unexpectedly.</param>
/// <param name="ClaimedAt">When the current attempt was claimed.</param>
/// <param name="Outcome">How it ended ("stored", "quarantined"), once completed.</param>
/// <param name="BatchId">The batch the content was stored or quarantined as.</param>
/// <param name="LastError">The last failure's message (a type and a sentence, never a value).</param>
/// <param name="SourcePath">The landing path it arrived at.</param>
public sealed record Receipt(
    ReceiptKey Key,
    ReceiptState State,
    int Attempts,
    int FailedAttempts,
    DateTimeOffset ClaimedAt,
    string? Outcome,
    string? BatchId,
    string? LastError,
    string? SourcePath);

/// <summary>The answer to a claim.</summary>
public enum ClaimStatus
{
    /// <summary>The caller now owns processing of this content.</summary>
    Claimed,

    /// <summary>The content was already processed: a duplicate, nothing to do.</summary>
    AlreadyCompleted,

    /// <summary>Another worker's claim is still live: nothing to do now.</summary>
    HeldByAnother,
}

/// <summary>The result of <see cref="IReceiptStore.TryClaimAsync"/>, with the receipt as it now stands.</summary>
public sealed record ClaimResult(ClaimStatus Status, Receipt Receipt);

/// <summary>
/// Records which files have been processed, so the same content delivered twice (even concurrently) is processed once,
/// and counts failed attempts so a file that keeps failing can be quarantined as poison.
/// </summary>
public interface IReceiptStore
{
    /// <summary>
    /// Claims the content for processing. Creating the receipt is atomic (create-if-absent), so of two concurrent claims
    /// exactly one wins. A failed receipt, or a processing claim older than <paramref name="lease"/>, is taken over as a
    /// new attempt.
    /// </summary>
    Task<ClaimResult> TryClaimAsync(ReceiptKey key, string sourcePath, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Marks the claimed content as processed to an end.</summary>
    Task<Receipt> CompleteAsync(ReceiptKey key, string outcome, string batchId, CancellationToken cancellationToken);

    /// <summary>Marks the current attempt as failed and returns the receipt with its failure count.</summary>
    Task<Receipt> FailAsync(ReceiptKey key, string error, CancellationToken cancellationToken);

    /// <summary>The receipt for the content, or null when it was never claimed.</summary>
    Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken);
}

/// <summary>The decision rules shared by every receipt store, so local and Azure stores agree.</summary>
public static class ReceiptRules
{
    /// <summary>The receipt a first claim creates.</summary>
    public static Receipt NewClaim(ReceiptKey key, string sourcePath, DateTimeOffset now) =>
        new(key, ReceiptState.Processing, 1, 0, now, null, null, null, sourcePath);

    /// <summary>
    /// Given the existing receipt, what a new claim gets: a duplicate, a live claim held by another worker, or a takeover
    /// (the receipt to store for the new attempt).
    /// </summary>
    public static (ClaimStatus Status, Receipt Receipt) Reclaim(Receipt existing, string sourcePath, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(existing);
        return existing.State switch
        {
            ReceiptState.Completed => (ClaimStatus.AlreadyCompleted, existing),
            ReceiptState.Processing when now - existing.ClaimedAt < lease => (ClaimStatus.HeldByAnother, existing),
            _ => (ClaimStatus.Claimed, existing with
            {
                State = ReceiptState.Processing,
                Attempts = existing.Attempts + 1,

                // A stale processing claim means that worker died mid-attempt: it counts as a failure.
                FailedAttempts = existing.State == ReceiptState.Processing ? existing.FailedAttempts + 1 : existing.FailedAttempts,
                ClaimedAt = now,
                SourcePath = sourcePath,
            }),
        };
    }
}
