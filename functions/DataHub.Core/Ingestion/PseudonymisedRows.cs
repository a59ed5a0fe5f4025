using System.Threading.Channels;
using DataHub.Core.Feeds;
using DataHub.Core.Marts;
using DataHub.Core.Parsing;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Reads a file's rows, validates them and files each under its quarter on one worker; turns their identifiers into
/// tokens on a second; the mart writer takes the rows in batches from the second through a small bounded queue. Reading,
/// keying and the Parquet encoding then run side by side on every core, and at most a few thousand rows are in flight.
/// </summary>
/// <remarks>Rejected rows are tallied here (<see cref="Errors"/>);
/// read the tallies only after <see cref="Completion"/> has finished. A failure of either worker stops the other.</remarks>
internal sealed class PseudonymisedRows : IDisposable
{
    private const int BatchRows = 512;
    private const int BatchesInFlight = 4;

    // Validated rows waiting for their tokens, then tokenised rows waiting for the mart writer.
    private readonly Channel<Batch> _validated = Queue();
    private readonly Channel<Batch> _queue = Queue();
    private readonly CancellationTokenSource _stop;

    private readonly System.Collections.Concurrent.ConcurrentQueue<Batch> _spare = new();
    private readonly FeedReader _reader;
    private readonly RowTokeniser _tokeniser;
    private readonly MartBatchWriter _mart;
    private readonly string _quarterColumn;
    private readonly Action<long>? _rowsRead;

    /// <summary>Starts reading at once; consume <see cref="ReadAllAsync"/> and then await <see cref="Completion"/>.</summary>
    /// <param name="rowsRead">Told the rows read so far after each batch (for a progress display), on the reading worker.</param>
    public PseudonymisedRows(FeedReader reader, RowTokeniser tokeniser, MartBatchWriter mart, int maxErrorsKept, Action<long>? rowsRead, CancellationToken cancellationToken)
    {
        _rowsRead = rowsRead;
        _reader = reader;
        _tokeniser = tokeniser;
        _mart = mart;
        _quarterColumn = reader.Contract.QuarterField ?? "quarter";
        Errors = new RowErrorTally(maxErrorsKept);
        KeyCounts = new long[tokeniser.Keys.Count];
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = _stop.Token;
        Completion = Task.WhenAll(Task.Run(() => ReadAsync(token), token), Task.Run(() => TokeniseAsync(token), token));
    }

    /// <summary>Finishes when every row has been read and tokenised (or either failed or was cancelled).</summary>
    public Task Completion { get; }

    /// <summary>Rows that passed and were handed on.</summary>
    public long Accepted { get; private set; }

    /// <summary>Rows rejected, their errors counted by rule and the first ones listed up to the report's limit.</summary>
    public RowErrorTally Errors { get; }

    /// <summary>Accepted rows carrying each of <see cref="RowTokeniser.Keys"/>.</summary>
    public long[] KeyCounts { get; }

    /// <summary>The accepted rows in file order, in batches; hand each back with <see cref="Recycle"/> once written.</summary>
    public IAsyncEnumerable<Batch> ReadAllAsync(CancellationToken cancellationToken) => _queue.Reader.ReadAllAsync(cancellationToken);

    /// <summary>Hands a batch the mart writer has finished with back for reuse.</summary>
    public void Recycle(Batch batch) => _spare.Enqueue(batch);

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();

    private static Channel<Batch> Queue() => Channel.CreateBounded<Batch>(new BoundedChannelOptions(BatchesInFlight)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>The first worker: parse, validate, file under a quarter, hand on in batches.</summary>
    private async Task ReadAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var batch = NextBatch();
        long read = 0;
        try
        {
            await foreach (var result in _reader.ReadRowsAsync(cancellationToken).ConfigureAwait(false))
            {
                read++;
                if (result.Row is not { } row)
                {
                    Errors.Add(result.Errors!);
                    continue;
                }

                if (_mart.QuarterOf(row) is not { } quarter)
                {
                    Errors.Add([new RowError(row.Line, _quarterColumn, "row.quarter_missing", $"The row has no {_quarterColumn}, so it cannot be filed under a quarter.")]);
                    continue;
                }

                batch.Add(row, quarter, _tokeniser.BirthToStore(row));
                if (batch.Count == BatchRows)
                {
                    await _validated.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
                    _rowsRead?.Invoke(read);
                    batch = NextBatch();
                }
            }

            if (batch.Count > 0)
            {
                await _validated.Writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            _rowsRead?.Invoke(read);
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            _validated.Writer.TryComplete(failure);
        }
    }

    /// <summary>The second worker: the tokens of each batch, then on to the mart writer. Its failure stops the reader too.</summary>
    private async Task TokeniseAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        try
        {
            await foreach (var batch in _validated.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await _queue.Writer.WriteAsync(Tokenise(batch), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            await _stop.CancelAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _queue.Writer.TryComplete(failure);
        }
    }

    private Batch NextBatch()
    {
        if (!_spare.TryDequeue(out var batch))
        {
            batch = new Batch(BatchRows, _tokeniser.NewBatch());
        }

        batch.Clear();
        return batch;
    }

    private Batch Tokenise(Batch batch)
    {
        _tokeniser.Tokenise(batch.RowsSoFar, batch.BirthDatesSoFar, batch.Tokens);

        // Counted per batch, then added: the shared array is written once a batch, not on every row beside what the reading
        // worker reads.
        for (var k = 0; k < KeyCounts.Length; k++)
        {
            var carrying = 0;
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch.Tokens.Has(i, k))
                {
                    carrying++;
                }
            }

            KeyCounts[k] += carrying;
        }

        Accepted += batch.Count;
        return batch;
    }

    /// <summary>A run of accepted rows handed to the mart writer together, with their quarters, dates of birth and tokens.</summary>
    internal sealed class Batch(int capacity, TokenBatch tokens)
    {
        private readonly ParsedRow[] _rows = new ParsedRow[capacity];
        private readonly string[] _quarters = new string[capacity];
        private readonly DateOnly?[] _birthDates = new DateOnly?[capacity];

        public int Count { get; private set; }

        /// <summary>Row i's tokens are row i of this token batch.</summary>
        public TokenBatch Tokens { get; } = tokens;

        public ReadOnlySpan<ParsedRow> RowsSoFar => _rows.AsSpan(0, Count);

        /// <summary>Row i's date of birth, as read once by the reading worker.</summary>
        public ReadOnlySpan<DateOnly?> BirthDatesSoFar => _birthDates.AsSpan(0, Count);

        public ParsedRow Row(int index) => _rows[index];

        public string Quarter(int index) => _quarters[index];

        public DateOnly? DateOfBirth(int index) => _birthDates[index];

        public void Add(ParsedRow row, string quarter, DateOnly? dateOfBirth)
        {
            _rows[Count] = row;
            _quarters[Count] = quarter;
            _birthDates[Count++] = dateOfBirth;
        }

        public void Clear()
        {
            Array.Clear(_rows, 0, Count);
            Count = 0;
        }
    }
}
