using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure;
using Azure.Data.Tables;
using DataHub.Core.Audit;

namespace DataHub.Storage.Azure;

/// <summary>
/// The audit trail in an Azure Table: one partition holding every event (row key = zero-padded sequence, value = the
/// chained JSON line) and a head entity naming the last event. Each append writes the event and moves the head in one
/// entity group transaction conditioned on the head's ETag, so concurrent writers (several Function instances) keep a
/// single linear chain: a writer that lost the race re-reads the head and seals again.
/// </summary>
public sealed class TableAuditLog : IAuditLog
{
    private const string Partition = "chain";
    private const string HeadRow = "head";
    private const string EventPrefix = "e";
    private const string EventRange = "f"; // Every event row key sorts below this.
    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly int? _pageSize;
    private readonly OnceSucceeded _created;

    /// <summary>Keeps the log in <paramref name="table"/> (Azurite starts without it; it is created on first use).</summary>
    public TableAuditLog(TableClient table, TimeProvider time, int? pageSize = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(time);
        _table = table;
        _time = time;
        _pageSize = pageSize;
        _created = new OnceSucceeded(ct => table.CreateIfNotExistsAsync(ct));
    }

    /// <inheritdoc />
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 0; ; attempt++)
            {
                var head = await HeadEntityAsync(cancellationToken).ConfigureAwait(false);
                AuditEvent? previous = null;
                if (head is not null)
                {
                    var sequence = head.GetInt64("Sequence") ?? throw new FormatException("The audit head has no sequence.");
                    var last = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(sequence), cancellationToken: cancellationToken).ConfigureAwait(false);
                    previous = last.HasValue
                        ? FromEntity(last.Value!)
                        : throw new InvalidOperationException($"The audit head names event {sequence}, which is missing from the table.");
                }

                var sealedEvent = AuditChain.Seal(entry, previous, _time.GetUtcNow());
                var newHead = new TableEntity(Partition, HeadRow) { ["Sequence"] = sealedEvent.Sequence, ["Hash"] = sealedEvent.Hash };
                TableTransactionAction[] actions =
                [
                    new(TableTransactionActionType.Add, ToEntity(sealedEvent)),
                    head is null
                        ? new(TableTransactionActionType.Add, newHead)
                        : new(TableTransactionActionType.UpdateReplace, newHead, head.ETag),
                ];
                try
                {
                    await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                    return sealedEvent;
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
                {
                    // Another writer appended first: back off a little (jittered, growing) and seal against the new head.
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt + 1, 10)), _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "append to", "audit table " + _table.Name);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {EventPrefix} and RowKey lt {EventRange}");

        // The service returns a partition in row key order: the zero-padded sequence.
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, _pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return FromEntity(entity);
        }
    }

    /// <inheritdoc />
    public async Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var head = await HeadEntityAsync(cancellationToken).ConfigureAwait(false);
        return head is null ? null : new AuditHead(head.GetInt64("Sequence") ?? 0, head.GetString("Hash") ?? string.Empty);
    }

    private async Task<TableEntity?> HeadEntityAsync(CancellationToken cancellationToken)
    {
        var head = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return head.HasValue ? head.Value : null;
    }

    private static string RowKey(long sequence) => EventPrefix + sequence.ToString("D19", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(AuditEvent auditEvent) =>
        new(Partition, RowKey(auditEvent.Sequence))
        {
            ["Event"] = Encoding.UTF8.GetString(AuditChain.ToJsonLine(auditEvent)),
            ["Kind"] = auditEvent.Entry.Kind,
        };

    private static AuditEvent FromEntity(TableEntity entity) =>
        AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(entity.GetString("Event") ?? throw new FormatException("An audit row has no event.")));
}
