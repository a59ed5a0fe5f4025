using System.Buffers;
using System.Runtime.CompilerServices;
using Parquet;
using Parquet.Data;
using Parquet.Schema;
using LibraryReader = Parquet.ParquetReader;

namespace DataHub.Parquet;

/// <summary>Reads a flat Parquet file through Parquet.Net from a seekable stream: schema, metadata, row-group statistics, columns and rows.</summary>
/// <remarks>Any malformed, truncated or unsupported input raises <see cref="ParquetFormatException"/> naming the file: the
/// library sees the file through <see cref="FileGuard"/>, which checks the file's framing first and stops any read past its
/// end or beyond a budget, so damage ends in an error rather than a loop.</remarks>
public sealed class ParquetReader : IAsyncDisposable
{
    private readonly LibraryReader _file;
    private readonly FileGuard _guard;
    private readonly DataField[] _fields;
    private readonly string _name;

    private ParquetReader(LibraryReader file, FileGuard guard, string name, ParquetSchema schema, IReadOnlyList<RowGroupInfo> rowGroups)
    {
        _file = file;
        _guard = guard;
        _name = name;
        _fields = file.Schema.DataFields;
        Schema = schema;
        RowGroups = rowGroups;
        Metadata = new Dictionary<string, string>(file.CustomMetadata, StringComparer.Ordinal);
        RowCount = file.Metadata?.NumRows ?? 0;
        CreatedBy = file.Metadata?.CreatedBy;
    }

    /// <summary>The file's columns.</summary>
    public ParquetSchema Schema { get; }

    /// <summary>The file's key-value metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Rows in the file.</summary>
    public long RowCount { get; }

    /// <summary>The writer that made the file, as it names itself.</summary>
    public string? CreatedBy { get; }

    /// <summary>The row groups with their row counts and per-column statistics.</summary>
    public IReadOnlyList<RowGroupInfo> RowGroups { get; }

    /// <summary>Reads the footer of a Parquet file; the stream must be seekable and is disposed with the reader unless <paramref name="leaveOpen"/>.</summary>
    public static async Task<ParquetReader> OpenAsync(Stream seekable, string nameForErrors, bool leaveOpen = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(seekable);
        ArgumentNullException.ThrowIfNull(nameForErrors);
        if (!seekable.CanSeek || !seekable.CanRead)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(seekable));
        }

        FileGuard guard;
        try
        {
            guard = await FileGuard.OpenAsync(seekable, nameForErrors, leaveOpen, cancellationToken).ConfigureAwait(false);
        }
        catch when (!leaveOpen)
        {
            await seekable.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        try
        {
            return await Guard(nameForErrors, guard, async () =>
            {
                var file = await LibraryReader.CreateAsync(guard, new ParquetOptions { UseDateOnlyTypeForDates = true }, leaveStreamOpen: true, cancellationToken).ConfigureAwait(false);
                var schema = LibrarySchema.From(file.Schema, nameForErrors);
                await guard.CheckAsync(file.Metadata!, schema, file.CustomMetadata, nameForErrors, cancellationToken).ConfigureAwait(false);
                var groups = file.RowGroups.Select(g => new RowGroupInfo(
                    g.RowCount,
                    g.RowGroup.TotalByteSize,
                    [.. file.Schema.DataFields.Select((f, i) => Statistics(g.GetStatistics(f), schema.Columns[i].Type))])).ToArray();
                return new ParquetReader(file, guard, nameForErrors, schema, groups);
            }).ConfigureAwait(false);
        }
        catch
        {
            await guard.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads one column of one row group.</summary>
    public Task<ParquetColumnData> ReadColumnAsync(int rowGroup, string column, CancellationToken cancellationToken = default)
    {
        var index = Schema.IndexOf(column);
        return index >= 0
            ? ReadColumnAsync(rowGroup, index, cancellationToken)
            : throw new ArgumentException($"The file has no column '{column}'.", nameof(column));
    }

    /// <summary>Reads one column (by schema position) of one row group.</summary>
    public Task<ParquetColumnData> ReadColumnAsync(int rowGroup, int column, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rowGroup);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rowGroup, RowGroups.Count);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, _fields.Length);
        return Guard(_name, _guard, () =>
        {
            var group = _file.OpenRowGroupReader(rowGroup);
            var field = _fields[column];
            var definition = Schema.Columns[column];
            var rows = checked((int)group.RowCount);
            return definition.Type switch
            {
                ParquetType.Boolean => ReadAsync<bool>(group, field, definition, rows, cancellationToken),
                ParquetType.Int32 => ReadAsync<int>(group, field, definition, rows, cancellationToken),
                ParquetType.Int64 => ReadAsync<long>(group, field, definition, rows, cancellationToken),
                ParquetType.Double => ReadAsync<double>(group, field, definition, rows, cancellationToken),
                ParquetType.Date => ReadAsync<DateOnly>(group, field, definition, rows, cancellationToken),
                ParquetType.TimestampMicros => ReadAsync<DateTime>(group, field, definition, rows, cancellationToken),
                _ => ReadStringsAsync(group, field, definition, rows, cancellationToken),
            };
        });
    }

    /// <summary>Reads the rows of every row group as CLR values (see <see cref="ParquetColumnData.GetValue"/>), optionally only some columns, in the order given.</summary>
    public async IAsyncEnumerable<object?[]> ReadRowsAsync(IReadOnlyList<string>? columns = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var indexes = columns is null
            ? Enumerable.Range(0, _fields.Length).ToArray()
            : [.. columns.Select(c => Schema.IndexOf(c) is var i and >= 0 ? i : throw new ArgumentException($"The file has no column '{c}'.", nameof(columns)))];
        for (var g = 0; g < RowGroups.Count; g++)
        {
            var data = new ParquetColumnData[indexes.Length];
            for (var c = 0; c < indexes.Length; c++)
            {
                data[c] = await ReadColumnAsync(g, indexes[c], cancellationToken).ConfigureAwait(false);
            }

            for (var r = 0; r < RowGroups[g].RowCount; r++)
            {
                var row = new object?[data.Length];
                for (var c = 0; c < data.Length; c++)
                {
                    row[c] = data[c].GetValue(r);
                }

                yield return row;
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        await _guard.DisposeAsync().ConfigureAwait(false);
    }

    private static async Task<ParquetColumnData> ReadAsync<T>(ParquetRowGroupReader group, DataField field, ParquetColumn column, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        var values = new T[rows];
        var nulls = await ReadRawAsync(group, field, values, rows, cancellationToken).ConfigureAwait(false);
        return ParquetColumnData.Create(column, rows, nulls, values);
    }

    private static async Task<ParquetColumnData> ReadStringsAsync(ParquetRowGroupReader group, DataField field, ParquetColumn column, int rows, CancellationToken cancellationToken)
    {
        var raw = ArrayPool<ReadOnlyMemory<char>>.Shared.Rent(rows);
        try
        {
            var nulls = await ReadRawAsync(group, field, raw, rows, cancellationToken).ConfigureAwait(false);

            // A dictionary page decodes each distinct value once and every row shares its characters: make one string per value.
            var distinct = new Dictionary<char[], string>(ReferenceEqualityComparer.Instance);
            var strings = new string?[rows];
            for (var r = 0; r < rows; r++)
            {
                if (nulls?[r] != true)
                {
                    strings[r] = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(raw[r], out var segment)
                        && segment.Offset == 0 && segment.Count == segment.Array!.Length
                        ? Shared(distinct, segment.Array)
                        : new string(raw[r].Span);
                }
            }

            return ParquetColumnData.Create(column, rows, nulls, strings);
        }
        finally
        {
            ArrayPool<ReadOnlyMemory<char>>.Shared.Return(raw, clearArray: true);
        }
    }

    private static string Shared(Dictionary<char[], string> distinct, char[] characters)
    {
        if (!distinct.TryGetValue(characters, out var text))
        {
            text = new string(characters);
            distinct.Add(characters, text);
        }

        return text;
    }

    /// <summary>Reads a column chunk into <paramref name="values"/>, one per row; returns which rows are null (null when none can be).</summary>
    private static async Task<bool[]?> ReadRawAsync<T>(ParquetRowGroupReader group, DataField field, T[] values, int rows, CancellationToken cancellationToken)
        where T : struct
    {
        if (group.GetMetadata(field)?.MetaData?.NumValues != rows)
        {
            throw new InvalidDataException($"column '{field.Name}' does not hold one value per row");
        }

        if (!field.IsNullable)
        {
            await group.ReadRawAsync<T>(field, values.AsMemory(0, rows), null, null, cancellationToken).ConfigureAwait(false);
            return null;
        }

        var levels = ArrayPool<int>.Shared.Rent(rows);
        try
        {
            await group.ReadRawAsync<T>(field, values.AsMemory(0, rows), levels.AsMemory(0, rows), null, cancellationToken).ConfigureAwait(false);

            // The library packs the present values at the front: spread them to their rows from the back, so none is overwritten.
            var nulls = new bool[rows];
            var next = levels.AsSpan(0, rows).Count(field.MaxDefinitionLevel) - 1;
            for (var r = rows - 1; r >= 0; r--)
            {
                if (levels[r] == field.MaxDefinitionLevel)
                {
                    values[r] = values[next--];
                }
                else
                {
                    values[r] = default;
                    nulls[r] = true;
                }
            }

            return nulls;
        }
        finally
        {
            ArrayPool<int>.Shared.Return(levels);
        }
    }

    private static ColumnStatistics? Statistics(DataColumnStatistics? stats, ParquetType type) => stats is null
        ? null
        : new ColumnStatistics(Clr(stats.MinValue, type), Clr(stats.MaxValue, type), stats.NullCount);

    // The library decodes a statistic by its physical type: dates come back as day numbers, timestamps as integers.
    private static object? Clr(object? value, ParquetType type) => (value, type) switch
    {
        (int days, ParquetType.Date) => Timestamps.Date(days),
        (DateTime time, ParquetType.Date) => DateOnly.FromDateTime(time),
        (long micros, ParquetType.TimestampMicros) => Timestamps.FromMicros(micros),
        (DateTime time, ParquetType.TimestampMicros) => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
        (double d, _) when double.IsNaN(d) => null,
        _ => value,
    };

    /// <summary>Runs a read; anything the library throws on damaged input becomes a format error naming the file.</summary>
    private static async Task<T> Guard<T>(string name, FileGuard guard, Func<Task<T>> read)
    {
        guard.StartBudget();
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not ParquetFormatException and not OperationCanceledException)
        {
            throw new ParquetFormatException(name, $"malformed data ({ex.GetType().Name}: {ex.Message})", ex);
        }
    }
}
