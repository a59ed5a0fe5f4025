using DataHub.Core.Receipts;

namespace DataHub.Testing;

/// <summary>
/// Receipts whose fence renews the claim and then runs the step outside any lock, as receipts in a table beside blob
/// storage must: on the local store, the interleavings of two Azure instances whose stalls overlap inside their commits.
/// </summary>
public sealed class RenewThenRunReceipts(IReceiptStore inner) : IReceiptStore
{
    /// <inheritdoc />
    public Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken) => inner.TryClaimAsync(key, request, cancellationToken);

    /// <inheritdoc />
    public Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken) => inner.UpdateAsync(key, change, cancellationToken);

    /// <inheritdoc />
    public Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, CancellationToken cancellationToken) => inner.ListAsync(unreadable, cancellationToken);

    /// <inheritdoc />
    public async Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await inner.RunFencedAsync(key, owner, now, _ => Task.CompletedTask, cancellationToken).ConfigureAwait(false);
        await step(cancellationToken).ConfigureAwait(false);
    }
}
