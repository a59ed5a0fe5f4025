using System.Globalization;
using DataHub.Core.Hub;
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
    public async Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        while (true)
        {
            var fresh = ReceiptRules.NewClaim(key, request);
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

            var (status, next) = ReceiptRules.Reclaim(FromEntity(key, existing), request);
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
    public async Task<bool> RenewAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, CancellationToken cancellationToken) =>
        await UpdateAsync(key, r => ReceiptRules.Renew(r, owner, now), cancellationToken).ConfigureAwait(false) is not null;

    /// <inheritdoc />
    public async Task<Receipt> CompleteAsync(ReceiptKey key, string outcome, string batchId, CancellationToken cancellationToken) =>
        (await UpdateAsync(key, r => ReceiptRules.Complete(r, outcome, batchId), cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc />
    public async Task<Receipt> FailAsync(ReceiptKey key, ClaimOwner owner, string error, bool counted, CancellationToken cancellationToken) =>
        await UpdateAsync(key, r => ReceiptRules.Fail(r, owner, error, counted), cancellationToken).ConfigureAwait(false)
        ?? (await GetAsync(key, cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc />
    public async Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var entity = await _client.GetAsync(_table, Partition(key), key.Sha256, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : FromEntity(key, entity);
    }

    // A change that returns null leaves the receipt as it is (and returns null).
    private async Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        while (true)
        {
            var existing = await _client.GetAsync(_table, Partition(key), key.Sha256, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"No receipt for {key} to update: it was never claimed.");
            var next = change(FromEntity(key, existing));
            if (next is null)
            {
                return null;
            }

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
            ["OwnerHost"] = receipt.Owner?.Process.Host,
            ["OwnerProcessId"] = receipt.Owner?.Process.ProcessId,
            ["OwnerStartedAt"] = receipt.Owner?.Process.StartedAt,
            ["OwnerToken"] = receipt.Owner?.Token,
            ["RenewedAt"] = receipt.RenewedAt,
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
            entity.GetString("SourcePath"),
            OwnerOf(entity),
            entity.Properties.TryGetValue("RenewedAt", out var renewed) && renewed is DateTimeOffset renewedAt ? renewedAt : null);

    private static ClaimOwner? OwnerOf(TableEntity entity) =>
        entity.GetString("OwnerToken") is { } token && entity.GetString("OwnerHost") is { } host
        && entity.Properties.TryGetValue("OwnerStartedAt", out var started) && started is DateTimeOffset startedAt
            ? new ClaimOwner(new ProcessIdentity(host, (int)entity.GetInt64("OwnerProcessId"), startedAt), token)
            : null;
}
