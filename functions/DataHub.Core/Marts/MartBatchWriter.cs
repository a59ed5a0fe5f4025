using System.Globalization;
using DataHub.Core.Feeds;
using DataHub.Core.Hub;
using DataHub.Core.Pseudonymisation;
using DataHub.Core.Storage;
using DataHub.Parquet;

namespace DataHub.Core.Marts;

/// <summary>
/// Writes one commit attempt at a batch into the secure mart, one Parquet file per quarter, under names of the attempt's own
/// (<see cref="MartSchema.PathFor"/>): two attempts at one delivery never write the same object. Nothing is visible until
/// <see cref="CommitAsync"/>, which commits every quarter's file once the whole batch has succeeded and then the batch's
/// manifest, the commit point readers go by, listing exactly those files; <see cref="AbandonAsync"/> (or a failure) commits none.
/// </summary>
public sealed class MartBatchWriter : IAsyncDisposable
{
    // Quarter files finished, then committed, at once at the end of a batch.
    private const int ParallelFiles = 2;

    private readonly IObjectStore _store;
    private readonly FeedContract _contract;
    private readonly MartLayout _layout;
    private readonly string _batchId;
    private readonly string _attempt;
    private readonly IReadOnlyDictionary<string, string> _metadata;
    private readonly ParquetCompression _compression;
    private readonly int _rowGroupRows;
    private readonly long _rowGroupBytes;
    private readonly bool[] _excluded;
    private readonly Dictionary<string, QuarterFile> _quarters = new(StringComparer.Ordinal);
    private readonly QuarterNames _quarterNames = new();
    private readonly int _quarterField;
    private readonly MartCatalog _catalog;
    private readonly int _tokenKeys;
    private readonly int _birthYearColumn;
    // The rows written (First) and the bytes buffered across the open quarters (Second), written for every row by the
    // writing worker: padded off the fields QuarterOf reads for every row on the reading worker.
    private WorkerCounters _counts;
    private bool _finished;

    /// <summary>Prepares a batch for <paramref name="contract"/>.</summary>
    /// <param name="store">Where the files go.</param>
    /// <param name="contract">The feed's contract.</param>
    /// <param name="batchId">The batch id (file name and batch_id column).</param>
    /// <param name="attempt">The commit attempt's name (<see cref="MartSchema.AttemptOf"/> of its claim), in its files' names.</param>
    /// <param name="metadata">Key-value metadata stamped on every file (partner, agreement, key version, …); must name the partner and source SHA-256.</param>
    /// <param name="compression">The Parquet compression.</param>
    /// <param name="rowGroupRows">Rows per row group.</param>
    /// <param name="rowGroupBytes">Memory the rows buffered across the batch's open quarter files may take; past it the largest is written as a row group.</param>
    /// <param name="excludedFields">Stored fields the agreement does not allow: written as nulls.</param>
    public MartBatchWriter(
        IObjectStore store,
        FeedContract contract,
        string batchId,
        string attempt,
        IReadOnlyDictionary<string, string> metadata,
        ParquetCompression compression,
        int rowGroupRows,
        long rowGroupBytes,
        IReadOnlyCollection<string> excludedFields)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(excludedFields);
        if (!MartSchema.IsAttempt(attempt))
        {
            throw new ArgumentException("Not an attempt's name (see MartSchema.AttemptOf).", nameof(attempt));
        }

        _store = store;
        _catalog = new MartCatalog(store);
        _contract = contract;
        _layout = MartLayout.For(contract);
        _tokenKeys = _layout.TokenKeys.Count;
        _birthYearColumn = _layout.HasBirth ? _layout.BirthYearColumn : -1;
        _batchId = batchId;
        _attempt = attempt;
        _metadata = metadata;
        _compression = compression;
        _rowGroupRows = rowGroupRows;
        _rowGroupBytes = rowGroupBytes;
        _excluded = [.. contract.Fields.Select(f => excludedFields.Contains(f.Name))];
        var quarterField = contract.QuarterField ?? "quarter";
        _quarterField = contract.Fields.ToList().FindIndex(f => string.Equals(f.Name, quarterField, StringComparison.Ordinal));
    }

    /// <summary>Rows written so far.</summary>
    public long Rows => _counts.First;

    /// <summary>The quarter a row belongs to (its quarter field's date, or the feed's own quarter label); null when it has none.</summary>
    /// <remarks>May run on one thread while <see cref="WriteAsync"/> runs on another (it touches none of the files' state).</remarks>
    public string? QuarterOf(ParsedRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        var index = _quarterField >= 0
            ? _quarterField
            : throw new InvalidOperationException($"Feed '{_contract.Name}' has no field '{_contract.QuarterField ?? "quarter"}' to file rows by quarter.");
        if (_contract.QuarterField is not null)
        {
            return row.Values[index] is DateOnly date ? _quarterNames.Of(date) : null;
        }

        return row.Values[index] is string label && label.Length > 0 ? label.Trim().ToUpperInvariant() : null;
    }

    /// <summary>Appends a row to its quarter's file.</summary>
    /// <param name="quarter">From <see cref="QuarterOf"/>.</param>
    /// <param name="row">The validated row.</param>
    /// <param name="tokens">The tokens of the row's batch, keys aligned with the feed's token keys.</param>
    /// <param name="index">The row's place in <paramref name="tokens"/>.</param>
    /// <param name="dateOfBirth">The row's date of birth, stored as year and month only.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    public ValueTask WriteAsync(string quarter, ParsedRow row, TokenBatch tokens, int index, DateOnly? dateOfBirth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(tokens);
        ObjectDisposedException.ThrowIf(_finished, this);
        if (tokens.Keys != _tokenKeys)
        {
            throw new ArgumentException($"The tokens are for {tokens.Keys} keys; feed {_contract.Name} has {_tokenKeys}.", nameof(tokens));
        }

        // Only a row that opens a quarter's file or fills a row group waits on the store; every other row is buffered in place.
        if (_quarters.TryGetValue(quarter, out var file))
        {
            return WriteRowAsync(file, row, tokens, index, dateOfBirth, cancellationToken);
        }

        return OpenAndWriteAsync(quarter, row, tokens, index, dateOfBirth, cancellationToken);
    }

    private async ValueTask OpenAndWriteAsync(string quarter, ParsedRow row, TokenBatch tokens, int index, DateOnly? dateOfBirth, CancellationToken cancellationToken)
    {
        var file = await OpenAsync(quarter, cancellationToken).ConfigureAwait(false);
        _quarters.Add(quarter, file);
        await WriteRowAsync(file, row, tokens, index, dateOfBirth, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask WriteRowAsync(QuarterFile file, ParsedRow row, TokenBatch tokens, int index, DateOnly? dateOfBirth, CancellationToken cancellationToken)
    {
        var before = file.Writer.BufferedBytes;
        Set(file.Writer, row, tokens, index, dateOfBirth);
        file.Rows++;
        _counts.First++;
        var ended = file.Writer.EndRowAsync(cancellationToken);
        return ended.IsCompletedSuccessfully ? Account(file, before, cancellationToken) : AccountAfterAsync(ended, file, before, cancellationToken);
    }

    private async ValueTask AccountAfterAsync(ValueTask ended, QuarterFile file, long before, CancellationToken cancellationToken)
    {
        await ended.ConfigureAwait(false);
        await Account(file, before, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps the rows buffered across the open quarters within the cap: past it, the largest buffer becomes a row group.</summary>
    private ValueTask Account(QuarterFile file, long before, CancellationToken cancellationToken)
    {
        _counts.Second += file.Writer.BufferedBytes - before;
        if (_counts.Second <= _rowGroupBytes)
        {
            return ValueTask.CompletedTask;
        }

        var largest = _quarters.Values.MaxBy(q => q.Writer.BufferedBytes)!;
        _counts.Second -= largest.Writer.BufferedBytes;
        return new ValueTask(largest.Writer.FlushRowGroupAsync(cancellationToken));
    }

    private void Set(ParquetWriter w, ParsedRow row, TokenBatch tokens, int index, DateOnly? dateOfBirth)
    {
        w.Set(0, _batchId);
        w.Set(1, (long?)row.Line);
        for (var k = 0; k < _tokenKeys; k++)
        {
            // Tokens go in as the ASCII bytes they were made as; an absent one (no bytes) is left unset, so null.
            var token = tokens.Token(index, k);
            if (!token.IsEmpty)
            {
                w.Set(MartLayout.FirstToken + k, token);
            }
        }

        if (_birthYearColumn >= 0 && dateOfBirth is { } dob)
        {
            w.Set(_birthYearColumn, (int?)dob.Year);
            w.Set(_birthYearColumn + 1, (int?)dob.Month);
        }

        var values = row.Values;
        foreach (var (field, col, type) in _layout.Stored.AsSpan())
        {
            var value = _excluded[field] ? null : values[field];
            if (value is null)
            {
                continue;
            }

            // The parser gives each type one representation (DateOnly, int, bool, string); anything else is converted.
            switch (type)
            {
                case FieldType.Date:
                    w.Set(col, (DateOnly?)(DateOnly)value);
                    break;
                case FieldType.Integer:
                    w.Set(col, (int?)(value is int number ? number : Convert.ToInt32(value, CultureInfo.InvariantCulture)));
                    break;
                case FieldType.Boolean:
                    w.Set(col, (bool?)(bool)value);
                    break;
                default:
                    w.Set(col, value as string ?? Convert.ToString(value, CultureInfo.InvariantCulture));
                    break;
            }
        }
    }

    /// <summary>
    /// Finishes every quarter's file, commits them, then commits the batch's manifest, written last: until it exists no
    /// reader sees any of the files (see <see cref="MartManifest"/>). Returns the manifest, its object and the files of the
    /// earlier attempt's manifest it replaced (listed by no manifest now: the caller removes them once its claim has ended).
    /// </summary>
    /// <param name="rowsRejected">Rows of the batch rejected, stamped in each file's metadata and the manifest.</param>
    /// <param name="committedAt">The commit time recorded in the manifest.</param>
    /// <param name="fence">
    /// Runs the commit's visible steps (committing the files, then the manifest in place of the batch's earlier one) as the
    /// holder of the claim (<see cref="Receipts.IReceiptStore.RunFencedAsync"/>): throws when the claim has passed to another
    /// worker, and then nothing is committed.
    /// </param>
    /// <param name="cancellationToken">Stops before the commit begins; once the files are committed the manifest follows.</param>
    /// <exception cref="BatchChangedException">Another writer committed or withdrew the batch's manifest after this one looked at it.</exception>
    public async Task<(MartManifest Manifest, StoredObject Object, IReadOnlyList<string> Replaced)> CommitAsync(long rowsRejected, DateTimeOffset committedAt, Func<Func<CancellationToken, Task>, CancellationToken, Task> fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(fence);
        ObjectDisposedException.ThrowIf(_finished, this);
        var quarters = _quarters.OrderBy(q => q.Key, StringComparer.Ordinal).ToList();
        StoredObject? earlier;
        IReadOnlyList<string> replaced;
        try
        {
            // Each quarter's file is its own writer and stream, and finishing one writes its last row group: two files are
            // finished side by side, so the batch's tail is not left to one core. Two, not one per core: each holds its
            // encoded pages in memory, and a remote store's block uploads block a thread while they run.
            var finishing = new ParallelOptions { MaxDegreeOfParallelism = ParallelFiles, CancellationToken = cancellationToken };
            await Parallel.ForEachAsync(quarters, finishing, async (quarter, token) =>
            {
                var file = quarter.Value;
                file.Metadata[MartMetadata.Rows] = file.Rows.ToString(CultureInfo.InvariantCulture);
                file.Metadata[MartMetadata.BatchRows] = Rows.ToString(CultureInfo.InvariantCulture);
                file.Metadata[MartMetadata.RowsRejected] = rowsRejected.ToString(CultureInfo.InvariantCulture);
                file.Written = await file.Writer.FinishAsync(token).ConfigureAwait(false);
                await file.Writer.DisposeAsync().ConfigureAwait(false);
            }).ConfigureAwait(false);

            // The batch's manifest as it stands, seen before the fence. The manifest is committed only over what was seen, so
            // a writer that stalls after its fence, past its lease, fails on whatever manifest a worker that took over has
            // committed or withdrawn since rather than replacing it; its files, named for this attempt, touch nothing of the other's.
            earlier = await _catalog.ManifestOfAsync(_contract.Name, _batchId, cancellationToken).ConfigureAwait(false);
            replaced = earlier is null ? [] : await _catalog.FilesOfAsync(_contract.Name, earlier, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbandonAsync().ConfigureAwait(false);
            throw;
        }

        // Every file is complete before the first is committed, so a failure before the commit commits none; a crash between
        // the files and the manifest (or a manifest refused) leaves files no manifest lists, which no reader takes and
        // clean-up removes.
        _finished = true;
        var files = new MartManifestFile[quarters.Count];
        MartManifest? manifest = null;
        StoredObject? committed = null;
        try
        {
            await fence(
                async token =>
                {
                    // Commits wait on the store (a local commit makes the file durable before its rename), so they go side by
                    // side; the manifest lists the files in quarter order whichever finished first. Once the first file is
                    // committed the rest follow, and the manifest, whatever the caller's token says.
                    await Parallel.ForEachAsync(Enumerable.Range(0, quarters.Count), new ParallelOptions { MaxDegreeOfParallelism = ParallelFiles }, async (i, _) =>
                    {
                        var (quarter, file) = quarters[i];
                        var stored = await file.Pending.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                        files[i] = new MartManifestFile(stored.Path, quarter, file.Rows, file.Written!.Bytes, file.Written.Sha256);
                    }).ConfigureAwait(false);

                    // A retried batch's manifest replaces the earlier attempt's in one write (only the version seen), so a
                    // reader sees the one attempt's files or the other's, never a mix and never a gap; the earlier attempt's
                    // files, now listed by no manifest, are removed once this claim has ended (or by clean-up).
                    manifest = new MartManifest(_batchId, _contract.Name, _metadata[MartMetadata.Partner], _metadata[MartMetadata.SourceSha256], committedAt, Rows, rowsRejected, files, _attempt);
                    committed = await _catalog.CommitAsync(manifest, earlier, CancellationToken.None).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ObjectChangedException or ObjectExistsException)
        {
            throw new BatchChangedException(_contract.Name, _batchId, ex);
        }
        finally
        {
            // Releases what each write holds; a write not committed (the fence refused, a commit failed) is abandoned.
            foreach (var (_, file) in quarters)
            {
                await file.Pending.DisposeAsync().ConfigureAwait(false);
            }
        }

        return (manifest!, committed!, replaced);
    }

    /// <summary>Discards every quarter's file: nothing of the batch is committed.</summary>
    public async Task AbandonAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        foreach (var file in _quarters.Values)
        {
            await file.Writer.DisposeAsync().ConfigureAwait(false);
            await file.Pending.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await AbandonAsync().ConfigureAwait(false);

    private async Task<QuarterFile> OpenAsync(string quarter, CancellationToken cancellationToken)
    {
        var metadata = new Dictionary<string, string>(_metadata, StringComparer.Ordinal)
        {
            [MartMetadata.Quarter] = quarter,
        };
        // The store's metadata names the batch and its source, so clean-up can tell whose claim an uncommitted file belongs to.
        var options = new WriteOptions(Metadata: new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [MartMetadata.BatchId] = _batchId,
            [MartMetadata.Partner] = _metadata[MartMetadata.Partner],
            [MartMetadata.Feed] = _contract.Name,
            [MartMetadata.SourceSha256] = _metadata[MartMetadata.SourceSha256],
        });
        var path = MartSchema.PathFor(_contract.Name, quarter, _batchId, _attempt);

        // Create-only: the name is this attempt's, so nothing is there to replace, and nothing of another attempt is replaced.
        options = options with { Overwrite = false };
        var pending = await _store.BeginWriteAsync(path, options, cancellationToken).ConfigureAwait(false);
        var writer = await ParquetWriter.CreateAsync(pending.Content, _layout.Schema, new ParquetWriterOptions
        {
            Compression = _compression,
            RowGroupRows = _rowGroupRows,
            RowGroupBytes = _rowGroupBytes,
            HashColumns = _layout.TokenColumns,
            // A dictionary is tried per chunk with a hash table as large as the chunk: a large-object allocation for every
            // string column of every row group, which drove most of the ingest's full collections. Ids and free text are
            // mostly distinct anyway, and Snappy shortens the repeating codes and batch id about as well.
            UseDictionary = false,
            Metadata = metadata,
        }, cancellationToken).ConfigureAwait(false);
        return new QuarterFile(pending, writer, metadata);
    }

    private sealed class QuarterFile(IObjectWrite pending, ParquetWriter writer, Dictionary<string, string> metadata)
    {
        public IObjectWrite Pending { get; } = pending;

        /// <summary>Size and SHA-256 of the finished file, for the manifest; set once it is finished.</summary>
        public WrittenFile? Written { get; set; }

        public ParquetWriter Writer { get; } = writer;

        public Dictionary<string, string> Metadata { get; } = metadata;

        public long Rows { get; set; }
    }
}

/// <summary>Quarter labels by date, made once per quarter rather than once per row.</summary>
internal sealed class QuarterNames
{
    private readonly Dictionary<int, string> _names = [];

    /// <summary>The label of the quarter <paramref name="date"/> falls in, as <see cref="MartSchema.QuarterOf"/> writes it.</summary>
    public string Of(DateOnly date)
    {
        var key = (date.Year * 4) + ((date.Month - 1) / 3);
        if (!_names.TryGetValue(key, out var name))
        {
            name = MartSchema.QuarterOf(date);
            _names.Add(key, name);
        }

        return name;
    }
}

/// <summary>
/// Raised when another writer changed a batch's manifest or files after this writer looked at them (a worker that stalled
/// past its lease, or the one that took over from it): this writer's commit stops there, replacing nothing of the other's.
/// </summary>
public sealed class BatchChangedException(string feed, string batchId, Exception inner)
    : Exception($"Batch {batchId} of {feed} was changed by another writer during this commit; this writer stopped without replacing it.", inner)
{
    /// <summary>The batch.</summary>
    public string BatchId { get; } = batchId;
}
