namespace DataHub.Core.Receipts;

/// <summary>The changes the hub makes to a claimed receipt, the same on every store: each is one <see cref="IReceiptStore.UpdateAsync"/>.</summary>
public static class ReceiptUpdates
{
    /// <summary>The holder's heartbeat: extends its lease; false when the claim is no longer its own.</summary>
    public static async Task<bool> RenewAsync(this IReceiptStore store, ReceiptKey key, ClaimOwner owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.UpdateAsync(key, r => ReceiptRules.Renew(r, owner, now), cancellationToken).ConfigureAwait(false) is not null;
    }

    /// <summary>Marks <paramref name="owner"/>'s attempt as processed to an end (stored, or quarantined with its report).</summary>
    /// <exception cref="ClaimLostException">The claim is no longer <paramref name="owner"/>'s: the receipt is left to the worker that holds it.</exception>
    public static async Task<Receipt> CompleteAsync(this IReceiptStore store, ReceiptKey key, ClaimOwner owner, string outcome, string batchId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.UpdateAsync(key, r => ReceiptRules.Complete(r, owner, outcome, batchId), cancellationToken).ConfigureAwait(false)
            ?? throw new ClaimLostException();
    }

    /// <summary>
    /// The renewal a fence begins with (<see cref="IReceiptStore.RunFencedAsync"/>): renews <paramref name="owner"/>'s lease,
    /// so it has a whole lease to finish, or throws when the claim has passed to another worker.
    /// </summary>
    /// <exception cref="ClaimLostException">The claim is no longer <paramref name="owner"/>'s.</exception>
    public static async Task ConfirmAsync(this IReceiptStore store, ReceiptKey key, ClaimOwner owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!await store.RenewAsync(key, owner, now, cancellationToken).ConfigureAwait(false))
        {
            throw new ClaimLostException();
        }
    }

    /// <summary>
    /// Ends <paramref name="owner"/>'s attempt without completing it, counting it as a failure when <paramref name="counted"/>
    /// (a cancelled attempt or a lost race is not the file's fault). A claim another worker has taken over is left alone.
    /// Returns the receipt as it now stands.
    /// </summary>
    public static async Task<Receipt> FailAsync(this IReceiptStore store, ReceiptKey key, ClaimOwner owner, string error, bool counted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        return await store.UpdateAsync(key, r => ReceiptRules.Fail(r, owner, error, counted), cancellationToken).ConfigureAwait(false)
            ?? (await store.GetAsync(key, cancellationToken).ConfigureAwait(false))!;
    }
}

/// <summary>An attempt's claim passed to another worker (this one stalled past its lease): it must not commit or complete anything.</summary>
public sealed class ClaimLostException() : Exception("Another worker took over the claim on this content; this attempt stops without changing the mart or the receipt.");
