using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
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
    private readonly TableRestClient _client;
    private readonly string _table;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _ensure = new(1, 1);
    private bool _tableReady;

    /// <summary>Keeps the log in <paramref name="table"/> (default <see cref="AzureNames.AuditTable"/>) of the account.</summary>
    public TableAuditLog(StorageAccount account, TimeProvider time, StorageClientOptions? options = null, string table = AzureNames.AuditTable)
    {
        ArgumentNullException.ThrowIfNull(account);
        ArgumentNullException.ThrowIfNull(time);
        _client = new TableRestClient(account, options ?? new StorageClientOptions());
        _table = table;
        _time = time;
    }

    /// <inheritdoc />
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await EnsureTableAsync(cancellationToken).ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            var head = await _client.GetAsync(_table, Partition, HeadRow, cancellationToken).ConfigureAwait(false);
            AuditEvent? previous = null;
            if (head is not null)
            {
                var last = await _client.GetAsync(_table, Partition, RowKey(head.GetInt64("Sequence")), cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"The audit head names event {head.GetInt64("Sequence")}, which is missing from the table.");
                previous = FromEntity(last);
            }

            var sealedEvent = AuditChain.Seal(entry, previous, _time.GetUtcNow());
            var newHead = new TableEntity(Partition, HeadRow, new Dictionary<string, object?>
            {
                ["Sequence"] = sealedEvent.Sequence,
                ["Hash"] = sealedEvent.Hash,
            });
            var result = await _client.ExecuteBatchAsync(
                _table,
                [
                    new TableBatchOperation(ToEntity(sealedEvent), IfMatch: null),
                    head is null ? new TableBatchOperation(newHead, IfMatch: null) : new TableBatchOperation(newHead, head.ETag ?? "*"),
                ],
                cancellationToken).ConfigureAwait(false);
            if (result == TableWrite.Ok)
            {
                return sealedEvent;
            }

            // Another writer appended first: back off a little (jittered, growing) and seal against the new head.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt + 1, 10)), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<AuditEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var entity in _client.QueryPartitionAsync(_table, Partition, cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey.StartsWith(EventPrefix, StringComparison.Ordinal))
            {
                yield return FromEntity(entity);
            }
        }
    }

    /// <inheritdoc />
    public async Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken)
    {
        var head = await _client.GetAsync(_table, Partition, HeadRow, cancellationToken).ConfigureAwait(false);
        return head is null ? null : new AuditHead(head.GetInt64("Sequence"), head.GetString("Hash") ?? string.Empty);
    }

    private async Task EnsureTableAsync(CancellationToken cancellationToken)
    {
        if (_tableReady)
        {
            return;
        }

        await _ensure.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_tableReady)
            {
                await _client.CreateTableIfNotExistsAsync(_table, cancellationToken).ConfigureAwait(false);
                _tableReady = true;
            }
        }
        finally
        {
            _ensure.Release();
        }
    }

    private static string RowKey(long sequence) => EventPrefix + sequence.ToString("D19", CultureInfo.InvariantCulture);

    private static TableEntity ToEntity(AuditEvent auditEvent) =>
        new(Partition, RowKey(auditEvent.Sequence), new Dictionary<string, object?>
        {
            ["Event"] = Encoding.UTF8.GetString(AuditChain.ToJsonLine(auditEvent)),
            ["Kind"] = auditEvent.Entry.Kind,
        });

    private static AuditEvent FromEntity(TableEntity entity) =>
        AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(entity.GetString("Event") ?? throw new FormatException("An audit row has no event.")));
}
