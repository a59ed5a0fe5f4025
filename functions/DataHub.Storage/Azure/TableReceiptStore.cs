using System.Globalization;
using DataHub.Core.Receipts;

namespace DataHub.Storage.Azure;

/// <summary>
/// Receipts in an Azure Table: partition "{partner}.{feed}", row key the content's SHA-256. The first claim is an
/// insert, which the service makes atomic (a second insert of the same keys conflicts), so one delivery of the same
/// content wins; later changes are ETag-conditioned replaces, retried on a lost race. Failed attempts are counted
/// for poison handling.
/// </summary>
public sealed class TableReceiptStore : IReceiptStore
{
    private readonly TableRestClient _client;
    private readonly string _table;

    /// <summary>Keeps receipts in <paramref name="table"/> (default <see cref="AzureNames.ReceiptsTable"/>) of the account.</summary>
    public TableReceiptStore(StorageAccount account, StorageClientOptions? options = null, string table = AzureNames.ReceiptsTable)
    {
        ArgumentNullException.ThrowIfNull(account);
        _client = new TableRestClient(account, options ?? new StorageClientOptions());
        _table = table;
    }

    /// <inheritdoc />
    public async Task<ClaimResult> TryClaimAsync(ReceiptKey key, string sourcePath, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        while (true)
        {
            var fresh = ReceiptRules.NewClaim(key, sourcePath, now);
            var (inserted, _) = await _client.InsertAsync(_table, ToEntity(fresh), cancellationToken).ConfigureAwait(false);
            if (inserted == TableWrite.Ok)
            {
                return new ClaimResult(ClaimStatus.Claimed, fresh);
            }

            var existing = await _client.GetAsync(_table, Partition(key), key.Sha256, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                continue; // Deleted between the insert and the read: try the insert again.
            }

            var (status, next) = ReceiptRules.Reclaim(FromEntity(key, existing), sourcePath, now, lease);
            if (status != ClaimStatus.Claimed)
            {
                return new ClaimResult(status, next);
            }

            var (updated, _) = await _client.UpdateAsync(_table, ToEntity(next), existing.ETag ?? "*", merge: false, cancellationToken).ConfigureAwait(false);
            if (updated == TableWrite.Ok)
            {
                return new ClaimResult(ClaimStatus.Claimed, next);
            }

            // Another worker changed the receipt since it was read: decide again on what it wrote.
        }
    }

    /// <inheritdoc />
    public Task<Receipt> CompleteAsync(ReceiptKey key, string outcome, string batchId, CancellationToken cancellationToken) =>
        UpdateAsync(key, r => r with { State = ReceiptState.Completed, Outcome = outcome, BatchId = batchId }, cancellationToken);

    /// <inheritdoc />
    public Task<Receipt> FailAsync(ReceiptKey key, string error, CancellationToken cancellationToken) =>
        UpdateAsync(key, r => r with { State = ReceiptState.Failed, FailedAttempts = r.FailedAttempts + 1, LastError = error }, cancellationToken);

    /// <inheritdoc />
    public async Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entity = await _client.GetAsync(_table, Partition(key), key.Sha256, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : FromEntity(key, entity);
    }

    private async Task<Receipt> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        while (true)
        {
            var existing = await _client.GetAsync(_table, Partition(key), key.Sha256, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No receipt for {key} to update: it was never claimed.");
            var next = change(FromEntity(key, existing));
            var (result, _) = await _client.UpdateAsync(_table, ToEntity(next), existing.ETag ?? "*", merge: false, cancellationToken).ConfigureAwait(false);
            if (result == TableWrite.Ok)
            {
                return next;
            }
        }
    }

    // Partner and feed names are landing folder names (lowercase letters, digits, hyphens): no character a table key forbids.
    private static string Partition(ReceiptKey key)
    {
        foreach (var part in new[] { key.Partner, key.Feed, key.Sha256 })
        {
            if (part.Length == 0 || part.IndexOfAny(['/', '\\', '#', '?']) >= 0 || part.Any(char.IsControl))
            {
                throw new ArgumentException("A receipt key part is not a plain name.", nameof(key));
            }
        }

        return key.Partner + "." + key.Feed;
    }

    private static TableEntity ToEntity(Receipt receipt) =>
        new(Partition(receipt.Key), receipt.Key.Sha256, new Dictionary<string, object?>
        {
            ["Partner"] = receipt.Key.Partner,
            ["Feed"] = receipt.Key.Feed,
            ["State"] = receipt.State.ToString(),
            ["Attempts"] = receipt.Attempts,
            ["FailedAttempts"] = receipt.FailedAttempts,
            ["ClaimedAt"] = receipt.ClaimedAt,
            ["Outcome"] = receipt.Outcome,
            ["BatchId"] = receipt.BatchId,
            ["LastError"] = receipt.LastError,
            ["SourcePath"] = receipt.SourcePath,
        });

    private static Receipt FromEntity(ReceiptKey key, TableEntity entity) =>
        new(
            key,
            Enum.Parse<ReceiptState>(entity.GetString("State") ?? nameof(ReceiptState.Failed)),
            (int)entity.GetInt64("Attempts"),
            (int)entity.GetInt64("FailedAttempts"),
            entity.Properties.TryGetValue("ClaimedAt", out var at) && at is DateTimeOffset when ? when : DateTimeOffset.UnixEpoch,
            entity.GetString("Outcome"),
            entity.GetString("BatchId"),
            entity.GetString("LastError"),
            entity.GetString("SourcePath"));
}
