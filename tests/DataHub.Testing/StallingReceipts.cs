using DataHub.Core.Receipts;

namespace DataHub.Testing;

/// <summary>Where a <see cref="StallingReceipts"/> holds its worker.</summary>
public enum ReceiptStep
{
    /// <summary>Inside the fence: the claim renewed, the commit not begun (on a store that locks, the lock is held).</summary>
    InFence,

    /// <summary>Just after the fenced commit ended, before the receipt is completed.</summary>
    AfterFence,

    /// <summary>Before a change to a receipt is sent (clean-up giving up a lapsed claim).</summary>
    BeforeUpdate,
}

/// <summary>Receipts that hold their worker (<see cref="Stall"/>) the first time it reaches <paramref name="at"/>; otherwise the inner store.</summary>
public sealed class StallingReceipts(IReceiptStore inner, Stall stall, ReceiptStep at) : IReceiptStore
{
    /// <inheritdoc />
    public Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken) => inner.TryClaimAsync(key, request, cancellationToken);

    /// <inheritdoc />
    public async Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken)
    {
        if (at == ReceiptStep.BeforeUpdate)
        {
            await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return await inner.UpdateAsync(key, change, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken) => inner.GetAsync(key, cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, CancellationToken cancellationToken) => inner.ListAsync(unreadable, cancellationToken);

    /// <inheritdoc />
    public async Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        await inner.RunFencedAsync(
            key,
            owner,
            now,
            async ct =>
            {
                if (at == ReceiptStep.InFence)
                {
                    await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
                }

                await step(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        if (at == ReceiptStep.AfterFence)
        {
            await stall.HoldAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
