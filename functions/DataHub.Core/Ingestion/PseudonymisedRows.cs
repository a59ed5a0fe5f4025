using System.Threading.Channels;
using DataHub.Core.Feeds;
using DataHub.Core.Marts;
using DataHub.Core.Parsing;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Ingestion;

/// <summary>
/// Reads a file's rows, validates them, files each under its quarter and turns its identifiers into tokens, on a worker
/// of its own; the mart writer takes the rows in batches through a small bounded queue. Reading and the Parquet encoding
/// then run on two cores at once, and at most a few thousand rows are ever in flight.
/// </summary>
/// <remarks>Rejected rows are tallied here (<see cref="Rejected"/>, <see cref="ErrorsKept"/>, <see cref="ErrorsByRule"/>);
/// read the tallies only after <see cref="Completion"/> has finished.</remarks>
internal sealed class PseudonymisedRows
{
    private const int BatchRows = 512;
    private const int BatchesInFlight = 4;

    private readonly Channel<Batch> _queue = Channel.CreateBounded<Batch>(new BoundedChannelOptions(BatchesInFlight)
    {
        SingleReader = true,
        SingleWriter = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly FeedReader _reader;
    private readonly RowTokeniser _tokeniser;
    private readonly MartBatchWriter _mart;
    private readonly string _quarterColumn;
    private readonly int _maxErrorsKept;

    /// <summary>Starts reading at once; consume <see cref="ReadAllAsync"/> and then await <see cref="Completion"/>.</summary>
    public PseudonymisedRows(FeedReader reader, RowTokeniser tokeniser, MartBatchWriter mart, int maxErrorsKept, CancellationToken cancellationToken)
    {
        _reader = reader;
        _tokeniser = tokeniser;
        _mart = mart;
        _quarterColumn = reader.Contract.QuarterField ?? "quarter";
        _maxErrorsKept = maxErrorsKept;
        KeyCounts = new long[tokeniser.Keys.Count];
        Completion = Task.Run(() => ProduceAsync(cancellationToken), cancellationToken);
    }

    /// <summary>Finishes when every row has been read (or reading failed or was cancelled).</summary>
    public Task Completion { get; }

    /// <summary>Rows that passed and were handed on.</summary>
    public long Accepted { get; private set; }

    /// <summary>Rows rejected, by any rule.</summary>
    public long Rejected { get; private set; }

    /// <summary>The first row errors, up to the report's limit.</summary>
    public List<RowError> ErrorsKept { get; } = [];

    /// <summary>Every row error counted by rule.</summary>
    public Dictionary<string, long> ErrorsByRule { get; } = new(StringComparer.Ordinal);

    /// <summary>Accepted rows carrying each of <see cref="RowTokeniser.Keys"/>.</summary>
    public long[] KeyCounts { get; }

    /// <summary>The accepted rows in file order, in batches.</summary>
    public async IAsyncEnumerable<Batch> ReadAllAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var batch in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return batch;
        }
    }

    private async Task ProduceAsync(CancellationToken cancellationToken)
    {
        Exception? failure = null;
        var rows = new ParsedRow[BatchRows];
        var quarters = new string[BatchRows];
        var count = 0;
        try
        {
            await foreach (var result in _reader.ReadRowsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (result.Row is not { } row)
                {
                    Reject(result.Errors!);
                    continue;
                }

                if (_mart.QuarterOf(row) is not { } quarter)
                {
                    Reject([new RowError(row.Line, _quarterColumn, "row.quarter_missing", $"The row has no {_quarterColumn}, so it cannot be filed under a quarter.")]);
                    continue;
                }

                rows[count] = row;
                quarters[count++] = quarter;
                if (count == BatchRows)
                {
                    await _queue.Writer.WriteAsync(Tokenise(rows, quarters, count), cancellationToken).ConfigureAwait(false);
                    count = 0;
                }
            }

            if (count > 0)
            {
                await _queue.Writer.WriteAsync(Tokenise(rows, quarters, count), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            failure = ex;
            throw;
        }
        finally
        {
            _queue.Writer.TryComplete(failure);
        }
    }

    private Batch Tokenise(ParsedRow[] rows, string[] quarters, int count)
    {
        var tokens = new string?[count][];
        for (var i = 0; i < count; i++)
        {
            tokens[i] = new string?[KeyCounts.Length];
        }

        _tokeniser.Tokenise(rows.AsSpan(0, count), tokens);
        var batch = new Batch(count);
        for (var i = 0; i < count; i++)
        {
            for (var k = 0; k < KeyCounts.Length; k++)
            {
                if (tokens[i][k] is not null)
                {
                    KeyCounts[k]++;
                }
            }

            batch.Add(new PseudonymisedRow(rows[i], quarters[i], tokens[i], _tokeniser.DateOfBirth(rows[i])));
        }

        Accepted += count;
        Array.Clear(rows, 0, count);
        return batch;
    }

    private void Reject(IReadOnlyList<RowError> errors)
    {
        Rejected++;
        foreach (var error in errors)
        {
            ErrorsByRule[error.Rule] = ErrorsByRule.GetValueOrDefault(error.Rule) + 1;
            if (ErrorsKept.Count < _maxErrorsKept)
            {
                ErrorsKept.Add(error);
            }
        }
    }

    /// <summary>A run of accepted rows handed to the mart writer together.</summary>
    internal sealed class Batch(int capacity)
    {
        private readonly PseudonymisedRow[] _rows = new PseudonymisedRow[capacity];

        public int Count { get; private set; }

        public PseudonymisedRow this[int index] => _rows[index];

        public void Add(PseudonymisedRow row) => _rows[Count++] = row;
    }
}

/// <summary>An accepted row ready for the mart: its quarter, its tokens (aligned with the feed's keys) and its date of birth.</summary>
internal readonly record struct PseudonymisedRow(ParsedRow Row, string Quarter, string?[] Tokens, DateOnly? DateOfBirth);
