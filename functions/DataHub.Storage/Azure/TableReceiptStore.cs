using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using DataHub.Core.Hub;
using DataHub.Core.Receipts;

namespace DataHub.Storage.Azure;

/// <summary>
/// Receipts in an Azure Table: partition "{partner}.{feed}", row key the content's SHA-256. The first claim is an
/// insert, which the service makes atomic (a second insert of the same keys conflicts), so one delivery of the same
/// content wins; every later change (a takeover, a heartbeat, a completion, a failure) is an ETag-conditioned replace,
/// decided again on what another worker wrote when it loses the race. The claim's owner and lease travel in the entity,
/// so a crashed worker's claim is taken over as it is locally (<see cref="ReceiptRules"/>).
/// </summary>
public sealed class TableReceiptStore : IReceiptStore
{
    private readonly TableClient _table;
    private readonly OnceSucceeded _created;

    /// <summary>Keeps receipts in <paramref name="table"/> (created on first use when missing).</summary>
    public TableReceiptStore(TableClient table)
    {
        ArgumentNullException.ThrowIfNull(table);
        _table = table;
        _created = new OnceSucceeded(table.CreateIfMissingAsync);
    }

    /// <inheritdoc />
    public Task<ClaimResult> TryClaimAsync(ReceiptKey key, ClaimRequest request, CancellationToken cancellationToken) =>
        GuardAsync(key, "claim", async () =>
        {
            while (true)
            {
                var fresh = ReceiptRules.NewClaim(key, request);
                try
                {
                    await _table.AddEntityAsync(ToEntity(fresh), cancellationToken).ConfigureAwait(false);
                    return new ClaimResult(ClaimStatus.Claimed, fresh);
                }
                catch (RequestFailedException ex) when (ex.Status == 409)
                {
                    // Claimed before: decide on the receipt as it stands.
                }

                var existing = await EntityAsync(key, cancellationToken).ConfigureAwait(false);
                if (existing is null)
                {
                    continue; // Deleted between the insert and the read: try the insert again.
                }

                var previous = FromEntity(key, existing);
                var (status, next) = ReceiptRules.Reclaim(previous, request);
                if (status != ClaimStatus.Claimed)
                {
                    return new ClaimResult(status, next, previous);
                }

                if (await TryReplaceAsync(next, existing.ETag, cancellationToken).ConfigureAwait(false))
                {
                    return new ClaimResult(ClaimStatus.Claimed, next, previous);
                }

                // Another worker changed the receipt since it was read: decide again on what it wrote.
            }
        });

    /// <inheritdoc />
    public Task<Receipt?> GetAsync(ReceiptKey key, CancellationToken cancellationToken) =>
        GuardAsync(key, "read", async () => await EntityAsync(key, cancellationToken).ConfigureAwait(false) is { } entity ? FromEntity(key, entity) : null);

    /// <inheritdoc />
    /// <remarks>Replaces the entity only at the version read (its ETag); a lost race reads and decides again.</remarks>
    public Task<Receipt?> UpdateAsync(ReceiptKey key, Func<Receipt, Receipt?> change, CancellationToken cancellationToken) =>
        GuardAsync(key, "update", async () =>
        {
            while (true)
            {
                var existing = await EntityAsync(key, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"No receipt for {key} to update: it was never claimed.");
                var next = change(FromEntity(key, existing));
                if (next is null)
                {
                    return null;
                }

                if (await TryReplaceAsync(next, existing.ETag, cancellationToken).ConfigureAwait(false))
                {
                    return next;
                }
            }
        });

    /// <inheritdoc />
    /// <remarks>
    /// A table row cannot be locked across requests to blob storage: the claim is renewed (conditioned on its ETag, so only
    /// while it is still this owner's) and then the step runs. A worker that stalls between the two past its lease may find
    /// its claim taken over; the step's blob requests are conditioned on the versions it saw before the renewal, so they fail
    /// on whatever the worker that took over has written since.
    /// </remarks>
    public async Task RunFencedAsync(ReceiptKey key, ClaimOwner owner, DateTimeOffset now, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await this.ConfirmAsync(key, owner, now, cancellationToken).ConfigureAwait(false);
        await step(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<Receipt> ListAsync(Action<string> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unreadable);
        var entities = _table.QueryAsync<TableEntity>(cancellationToken: cancellationToken).AsPages();
        await foreach (var page in StorageFailure.Guard(entities, "list the receipts in", _table.Name).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            foreach (var entity in page.Values)
            {
                Receipt? receipt = null;
                try
                {
                    if (entity.GetString("Partner") is { } partner && entity.GetString("Feed") is { } feed)
                    {
                        receipt = FromEntity(new ReceiptKey(partner, feed, entity.RowKey), entity);
                    }
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or InvalidCastException)
                {
                    receipt = null;
                }

                if (receipt is not null)
                {
                    yield return receipt;
                }
                else
                {
                    // Named by its keys only when they have the hub's shape: an entity the hub did not write may be named after anyone.
                    unreadable((entity.PartitionKey.Split('.') is [var partner, var feed] ? ReceiptNames.Of(partner, feed, entity.RowKey) : ReceiptNames.Stray) + " in " + _table.Name);
                }
            }
        }
    }

    private async Task<TableEntity?> EntityAsync(ReceiptKey key, CancellationToken cancellationToken)
    {
        var found = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(key), key.Sha256, cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    // Replaces the receipt only if it is still the version read; false when another worker changed it first.
    private async Task<bool> TryReplaceAsync(Receipt receipt, ETag read, CancellationToken cancellationToken)
    {
        try
        {
            await _table.UpdateEntityAsync(ToEntity(receipt), read, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 412)
        {
            return false;
        }
    }

    private async Task<T> GuardAsync<T>(ReceiptKey key, string operation, Func<Task<T>> action)
    {
        ArgumentNullException.ThrowIfNull(key);
        try
        {
            await _created.EnsureAsync(CancellationToken.None).ConfigureAwait(false);
            return await action().ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, operation + " the receipt for", key.ToString());
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
        new(Partition(receipt.Key), receipt.Key.Sha256)
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
            ["LabelKeyVersion"] = receipt.LabelKeyVersion,
        };

    private static Receipt FromEntity(ReceiptKey key, TableEntity entity) =>
        new(
            key,
            StateOf(entity),
            entity.GetInt32("Attempts") ?? 0,
            entity.GetInt32("FailedAttempts") ?? 0,
            entity.GetDateTimeOffset("ClaimedAt") ?? DateTimeOffset.UnixEpoch,
            entity.GetString("Outcome"),
            entity.GetString("BatchId"),
            entity.GetString("LastError"),
            entity.GetString("SourcePath"),
            OwnerOf(entity),
            entity.GetDateTimeOffset("RenewedAt"),
            entity.GetString("LabelKeyVersion"));

    // Only a state the hub writes: Enum.Parse alone would also take any number.
    private static ReceiptState StateOf(TableEntity entity) =>
        Enum.TryParse<ReceiptState>(entity.GetString("State") ?? nameof(ReceiptState.Failed), out var state) && Enum.IsDefined(state)
            ? state
            : throw new FormatException("A receipt's state is not one the hub writes.");

    private static ClaimOwner? OwnerOf(TableEntity entity) =>
        entity.GetString("OwnerToken") is { } token && entity.GetString("OwnerHost") is { } host
        && entity.GetInt32("OwnerProcessId") is { } processId && entity.GetDateTimeOffset("OwnerStartedAt") is { } startedAt
            ? new ClaimOwner(new ProcessIdentity(host, processId, startedAt), token)
            : null;
}
