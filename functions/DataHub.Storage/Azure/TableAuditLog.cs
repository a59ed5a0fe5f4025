using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Azure.Data.Tables;
using DataHub.Core.Audit;

namespace DataHub.Storage.Azure;

/// <summary>
/// The audit trail in an Azure Table: one partition holding every event (row key = zero-padded sequence, value = the
/// sealed JSON line) and a head entity naming the last event. Events are sealed under the audit key
/// (<see cref="AuditSealer"/>) and anchored in an immutable container (<see cref="BlobAuditAnchors"/>). Each append writes
/// its events and moves the head in one entity group transaction conditioned on the head's ETag, so concurrent writers
/// (several Function instances) keep a single linear chain: a writer that lost the race re-reads the end and seals again.
/// </summary>
public sealed class TableAuditLog : IAuditLog
{
    private const string Partition = "chain";
    private const string HeadRow = "head";
    private const string EventPrefix = "e";
    private const string EventRange = "f"; // Every event row key sorts below this.
    private const int EventPartChars = 30_000; // Within a string property's 32K characters.
    private readonly TableClient _table;
    private readonly TimeProvider _time;
    private readonly AuditSealer _sealer;
    private readonly int? _pageSize;
    private readonly OnceSucceeded _created;

    /// <summary>Keeps the log in <paramref name="table"/> (Azurite starts without it), sealed with <paramref name="keys"/> and anchored in <paramref name="anchors"/>.</summary>
    /// <remarks>The library makes each TableEntity it reads with Activator.CreateInstance&lt;T&gt;(), which trimming cannot
    /// see: the dependency keeps TableEntity's constructor in the native (AOT) `datahub`, whose `audit verify --azure`
    /// otherwise stopped on a MissingMethodException at the first row read.</remarks>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor, typeof(TableEntity))]
    public TableAuditLog(TableClient table, IAuditKeyProvider keys, IAuditAnchorStore anchors, TimeProvider time, int? pageSize = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(anchors);
        ArgumentNullException.ThrowIfNull(time);
        _table = table;
        _time = time;
        _sealer = new AuditSealer(keys);
        Anchors = anchors;
        _pageSize = pageSize;
        _created = OnceSucceeded.Creating(table.CreateIfMissingAsync);
    }

    /// <summary>The anchors this log records and checks.</summary>
    public IAuditAnchorStore Anchors { get; }

    /// <inheritdoc />
    public async Task<AuditEvent> AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            for (var attempt = 0; ; attempt++)
            {
                var (head, tail) = await ReadTailAsync(cancellationToken).ConfigureAwait(false);
                var sealedEvents = await _sealer.SealAsync(entry, tail, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                try
                {
                    await CommitAsync(sealedEvents, head, cancellationToken).ConfigureAwait(false);
                }
                catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
                {
                    if (await IsCommittedAsync(sealedEvents[^1], cancellationToken).ConfigureAwait(false))
                    {
                        // A try whose answer was lost committed these very events, and the SDK's retry met them: they are appended.
                        await AnchorAsync(sealedEvents, cancellationToken).ConfigureAwait(false);
                        return sealedEvents[^1];
                    }

                    // Another writer appended first: back off a little (jittered, growing) and seal against the new end.
                    await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * Math.Min(attempt + 1, 10)), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await AnchorAsync(sealedEvents, cancellationToken).ConfigureAwait(false);
                return sealedEvents[^1];
            }
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "append to", "audit table " + _table.Name);
        }
    }

    /// <inheritdoc />
    public async Task CheckWritableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            var (_, tail) = await ReadTailAsync(cancellationToken).ConfigureAwait(false);
            await _sealer.CheckSealableAsync(tail, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "read", "audit table " + _table.Name);
        }
    }

    /// <inheritdoc />
    public async Task<AuditEvent> RepairAsync(AuditEndLoss loss, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(loss);
        try
        {
            await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
            var (head, last) = await ReadEndAsync(cancellationToken).ConfigureAwait(false);
            if ((last?.Sequence ?? 0) != loss.LastGood.Sequence || !string.Equals(last?.Hash ?? AuditChain.Genesis, loss.LastGood.Hash, StringComparison.Ordinal))
            {
                throw new InvalidOperationException("The audit table's end changed since it was verified; run `datahub audit verify --azure` again.");
            }

            // Sealing the end while the anchors are gone would start fresh anchors and hide their loss: only a repair recording it goes on.
            if (loss.AnchorsLostFrom is null && await AnchorsGoneAsync(await Anchors.LatestAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"The anchors ({Anchors.Name}) are gone as well; run `datahub audit verify --azure` again, then `datahub audit repair --accept-loss --azure` to record their loss too.");
            }

            // A table row is written whole, so there is never a torn line to keep aside: only lost events are recorded.
            var repaired = await _sealer.SealRepairsAsync(loss, null, null, 0, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            try
            {
                // One transaction: the events lost and the anchors lost are recorded together or not at all.
                await CommitAsync(repaired, head, cancellationToken).ConfigureAwait(false);
            }
            catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
            {
                if (!await IsCommittedAsync(repaired[^1], cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException("The audit table changed while it was being repaired; run `datahub audit verify --azure` again.", ex);
                }
            }

            await AnchorAsync(repaired, cancellationToken).ConfigureAwait(false);
            return repaired[^1];
        }
        catch (Exception ex) when (StorageFailure.IsRequestFailure(ex))
        {
            throw StorageFailure.For(ex, "repair", "audit table " + _table.Name);
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
    public async IAsyncEnumerable<AuditEvent> ReadReadableAsync(Action<long> unreadable, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unreadable);
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and RowKey ge {EventPrefix} and RowKey lt {EventRange}");
        long after = 0;
        await foreach (var entity in _table.QueryAsync<TableEntity>(filter, _pageSize, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            AuditEvent? e;
            try
            {
                e = FromEntity(entity);
            }
            catch (FormatException)
            {
                e = null;
            }

            if (e is null)
            {
                unreadable(after);
            }
            else
            {
                after = e.Sequence;
                yield return e;
            }
        }
    }

    /// <inheritdoc />
    public async Task<AuditHead?> GetHeadAsync(CancellationToken cancellationToken)
    {
        await _created.EnsureAsync(cancellationToken).ConfigureAwait(false);
        return HeadOf(await HeadEntityAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The head entity and what an append is sealed against: the last event, the head, the latest anchor and whether the anchors are gone.</summary>
    private async Task<(TableEntity? Head, AuditTail Tail)> ReadTailAsync(CancellationToken cancellationToken)
    {
        // The anchor is read first: anchors are recorded after their events commit, so any event it names is in the table by now.
        var anchor = await Anchors.LatestAsync(cancellationToken).ConfigureAwait(false);
        var (head, last) = await ReadEndAsync(cancellationToken).ConfigureAwait(false);
        var tail = new AuditTail(last, HeadOf(head), anchor) { AnchorsGoneFrom = await AnchorsGoneAsync(anchor, cancellationToken).ConfigureAwait(false) ? Anchors.Name : null };
        return (head, tail);
    }

    /// <summary>The head entity (null when there is none) and the last event the table holds (null when it holds none).</summary>
    private async Task<(TableEntity? Head, AuditEvent? Last)> ReadEndAsync(CancellationToken cancellationToken)
    {
        var head = await HeadEntityAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HeadOf(head) is { } named)
            {
                var last = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(named.Sequence), cancellationToken: cancellationToken).ConfigureAwait(false);
                if (last.HasValue)
                {
                    return (head, FromEntity(last.Value!));
                }
            }

            // No head (a new log, or one whose head was deleted), or a head naming an event that is gone: only reading
            // every event finds the last, and the sealer then weighs it against the head and the anchors.
            AuditEvent? final = null;
            await foreach (var e in ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                final = e;
            }

            return (head, final);
        }
        catch (FormatException ex)
        {
            throw new AuditChainBrokenException($"An event in audit table {_table.Name} cannot be read: {ex.Message}", AuditChainBrokenException.RestoreAdvice);
        }
    }

    /// <summary>True when the anchor container holds no anchor though the table holds anchored events (read only when <paramref name="latest"/> is null).</summary>
    private async Task<bool> AnchorsGoneAsync(AuditAnchor? latest, CancellationToken cancellationToken)
    {
        try
        {
            return await AuditAnchoring.AnchorsGoneAsync(Anchors, latest, () => ReadAsync(cancellationToken), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            throw new AuditChainBrokenException($"An event in audit table {_table.Name} cannot be read: {ex.Message}", AuditChainBrokenException.RestoreAdvice);
        }
    }

    private async Task CommitAsync(IReadOnlyList<AuditEvent> sealedEvents, TableEntity? head, CancellationToken cancellationToken)
    {
        var last = sealedEvents[^1];
        var newHead = new TableEntity(Partition, HeadRow) { ["Sequence"] = last.Sequence, ["Hash"] = last.Hash };
        var actions = sealedEvents.Select(e => new TableTransactionAction(TableTransactionActionType.Add, ToEntity(e))).ToList();
        actions.Add(head is null
            ? new(TableTransactionActionType.Add, newHead)
            : new(TableTransactionActionType.UpdateReplace, newHead, head.ETag));
        await _table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the table holds <paramref name="sealedEvent"/> itself (its seal covers its time and the seal before it, so no other append matches it).</summary>
    private async Task<bool> IsCommittedAsync(AuditEvent sealedEvent, CancellationToken cancellationToken)
    {
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, RowKey(sealedEvent.Sequence), cancellationToken: cancellationToken).ConfigureAwait(false);
        try
        {
            return row.HasValue && string.Equals(FromEntity(row.Value!).Hash, sealedEvent.Hash, StringComparison.Ordinal);
        }
        catch (FormatException)
        {
            return false; // Not an event this writer sealed; reading the end again reports it.
        }
    }

    /// <summary>Records the last event in the anchors when the append ends a step (after the commit, so an anchor never names an uncommitted event).</summary>
    private async Task AnchorAsync(IReadOnlyList<AuditEvent> sealedEvents, CancellationToken cancellationToken)
    {
        if (sealedEvents.Any(e => AuditAnchoring.EndsStep(e.Entry.Kind)))
        {
            await Anchors.RecordAsync(sealedEvents[^1], cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<TableEntity?> HeadEntityAsync(CancellationToken cancellationToken)
    {
        var head = await _table.GetEntityIfExistsAsync<TableEntity>(Partition, HeadRow, cancellationToken: cancellationToken).ConfigureAwait(false);
        return head.HasValue ? head.Value : null;
    }

    // A property stored with another type (edited in Storage Explorer, say) makes the SDK's typed getters throw an
    // InvalidOperationException naming the types, which no reader expects: it is refused as a format, never by its value.
    // A head with a property of another type counts as absent, as an unreadable local head file does: the anchors still stand.
    private static AuditHead? HeadOf(TableEntity? head)
    {
        if (head is null)
        {
            return null;
        }

        try
        {
            return new AuditHead(Number(head, "Sequence", "The audit head's sequence is not a number.") ?? 0, Text(head, "Hash", "The audit head's seal is not text.") ?? string.Empty);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private static string? Text(TableEntity entity, string property, string refusal) =>
        !entity.TryGetValue(property, out var value) ? null : value switch
        {
            null => null,
            string text => text,
            _ => throw new FormatException(refusal),
        };

    // The SDK reads an Edm.Int64 as long, and an untyped whole number as int.
    private static long? Number(TableEntity entity, string property, string refusal) =>
        !entity.TryGetValue(property, out var value) ? null : value switch
        {
            null => null,
            long number => number,
            int number => number,
            _ => throw new FormatException(refusal),
        };

    private static string RowKey(long sequence) => EventPrefix + sequence.ToString("D19", CultureInfo.InvariantCulture);

    // A string property holds at most 64 KiB (32K UTF-16 characters), and an event's detail can outgrow it (every column
    // of a thousand-column header outside the agreement, say): a longer line is kept in parts, Event then Event1, Event2, …
    private static TableEntity ToEntity(AuditEvent auditEvent)
    {
        var line = Encoding.UTF8.GetString(AuditChain.ToJsonLine(auditEvent));
        var entity = new TableEntity(Partition, RowKey(auditEvent.Sequence)) { ["Kind"] = auditEvent.Entry.Kind };
        for (var (start, part) = (0, 0); start < line.Length || part == 0; part++)
        {
            var end = Math.Min(line.Length, start + EventPartChars);
            if (end < line.Length && char.IsHighSurrogate(line[end - 1]))
            {
                end--; // A surrogate pair stays whole in one part.
            }

            entity[EventProperty(part)] = line[start..end];
            start = end;
        }

        return entity;
    }

    private static AuditEvent FromEntity(TableEntity entity)
    {
        var line = new StringBuilder(Text(entity, EventProperty(0), "An audit row's event is not text.") ?? throw new FormatException("An audit row has no event."));
        for (var part = 1; Text(entity, EventProperty(part), "An audit row's event is not text.") is { } more; part++)
        {
            line.Append(more);
        }

        return AuditChain.FromJsonLine(Encoding.UTF8.GetBytes(line.ToString()));
    }

    private static string EventProperty(int part) => part == 0 ? "Event" : string.Create(CultureInfo.InvariantCulture, $"Event{part}");
}
