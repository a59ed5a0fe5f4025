using Microsoft.Extensions.Logging;

namespace DataHub.Core.Receipts;

/// <summary>
/// Keeps a claim's lease alive while its holder works: renews it every third of the lease. If the claim turns out to
/// have passed to another worker (this one stalled past its lease), <see cref="Lost"/> is cancelled so the work stops.
/// </summary>
public sealed class ClaimHeartbeat : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _beating;

    private ClaimHeartbeat(IReceiptStore receipts, ReceiptKey key, ClaimOwner owner, TimeSpan lease, TimeProvider time, ILogger log)
    {
        _beating = BeatAsync(receipts, key, owner, lease / 3, time, log);
    }

    /// <summary>Cancelled when the claim is found to belong to another worker.</summary>
    public CancellationToken Lost => _lost.Token;

    /// <summary>Starts renewing <paramref name="owner"/>'s claim on <paramref name="key"/>.</summary>
    public static ClaimHeartbeat Start(IReceiptStore receipts, ReceiptKey key, ClaimOwner owner, TimeSpan lease, TimeProvider time, ILogger log) =>
        new(receipts, key, owner, lease, time, log);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _beating.ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }

    private async Task BeatAsync(IReceiptStore receipts, ReceiptKey key, ClaimOwner owner, TimeSpan interval, TimeProvider time, ILogger log)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, time, _stop.Token).ConfigureAwait(false);
                if (!await receipts.RenewAsync(key, owner, time.GetUtcNow(), _stop.Token).ConfigureAwait(false))
                {
                    log.LogWarning("The claim on a file was taken over by another worker; this attempt stops.");
                    await _lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A missed beat is not fatal: the lease is three beats long, and the next one tries again.
                log.LogWarning("Renewing a claim failed ({ErrorType}); retrying.", ex.GetType().Name);
            }
        }
    }
}
