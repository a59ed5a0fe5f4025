using System.Buffers;
using System.Runtime.CompilerServices;
using DataHub.Core.Feeds;
using DataHub.Core.Storage;
using DataHub.Core.Validation;

namespace DataHub.Core.Parsing;

/// <summary>Reads one partner file (CSV or XLSX) against a feed contract: checks the header, then streams rows,
/// each typed and validated or rejected with its rule errors. Bounded memory: duplicate-row hashes beyond the first
/// million spill to scratch files (see <see cref="Validation.DuplicateRows"/>).</summary>
/// <remarks>Check <see cref="FileErrors"/> after <see cref="Open"/> (header problems: no rows are read) and again after reading
/// all rows: a workbook that turns out to be corrupt part-way adds a <see cref="Rules.FileUnreadable"/> error and ends the rows.</remarks>
public sealed class FeedReader : IDisposable
{
    private readonly List<FileError> fileErrors = [];
    private readonly FieldParser parser;
    private readonly CrossFieldChecks checks;
    private readonly FreeTextScreen freeText;
    private readonly DuplicateRows duplicates;
    private readonly List<RowError> crossFieldErrors = [];
    private readonly RowHash cellHash = new();
    private readonly CsvRecords? csv;
    private readonly TextDecoding? decoding;
    private readonly XlsxSheetReader? xlsx;
    private readonly string[] headers = [];
    private readonly int[] fieldColumns;
    private readonly ReadLimits limits;
    private char[] scratch = ArrayPool<char>.Shared.Rent(1024);
    private bool started;

    private FeedReader(string fileName, FeedContract contract, IScratchSpace? scratch, int duplicateMemoryEntries, ReadLimits limits)
    {
        this.limits = limits;
        duplicates = new DuplicateRows(scratch, duplicateMemoryEntries);
        FileName = fileName;
        Contract = contract;
        parser = new FieldParser(contract);
        checks = new CrossFieldChecks(contract);
        freeText = new FreeTextScreen(contract);
        fieldColumns = new int[contract.Fields.Count];
        Array.Fill(fieldColumns, -1);
    }

    private FeedReader(Stream content, string fileName, FeedContract contract, FeedFileFormat format, IScratchSpace? scratch, int duplicateMemoryEntries, ReadLimits limits)
        : this(fileName, contract, scratch, duplicateMemoryEntries, limits)
    {
        Format = format;
        try
        {
            if (format == FeedFileFormat.Xlsx)
            {
                xlsx = XlsxSheetReader.Open(content, limits, scratch, out var error);
                if (error is not null)
                {
                    fileErrors.Add(error);
                    return;
                }

                headers = ReadXlsxHeader(xlsx!);
            }
            else
            {
                var sniffed = SniffedStream.Open(content);
                decoding = OpenCsv(sniffed);
                if (decoding is null)
                {
                    return;
                }

                csv = new CsvRecords(sniffed, limits);
                headers = ReadCsvHeader(csv, decoding);
            }

            if (fileErrors.Count == 0)
            {
                MapHeader();
            }
        }
        catch
        {
            // A storage failure under the header read goes to the handler for a retry: the workbook's scratch copy and the
            // repeated-row table are let go now, not left to the collector.
            Dispose();
            throw;
        }
    }

    /// <summary>The file name as received (used only to choose the format and in messages).</summary>
    public string FileName { get; }

    /// <summary>The contract the file is read against.</summary>
    public FeedContract Contract { get; }

    /// <summary>CSV or XLSX, chosen by the file name's extension.</summary>
    public FeedFileFormat Format { get; }

    /// <summary>The header cells as sent (trimmed), in file order.</summary>
    public IReadOnlyList<string> Headers => headers;

    /// <summary>The headers that match no contract field; the data-sharing agreement decides whether they are allowed.</summary>
    public IReadOnlyList<string> UnknownColumns { get; private set; } = [];

    /// <summary>The contract fields the header provides, by canonical name.</summary>
    public IReadOnlyList<string> PresentFields { get; private set; } = [];

    /// <summary>Problems with the whole file. Non-empty after <see cref="Open"/>: no rows are read. Can also gain an
    /// <see cref="Rules.FileUnreadable"/> error or a limit's error (<see cref="ReadLimits"/>) while rows are read, which ends the rows.</summary>
    public IReadOnlyList<FileError> FileErrors => fileErrors;

    /// <summary>The CSV encoding as detected ("utf-8", "utf-8-bom", "windows-1252", or "ascii" when every byte was ASCII); null for XLSX.</summary>
    public string? Encoding => decoding?.Name;

    /// <summary>The number of rows rejected as repeats of an earlier row so far.</summary>
    public long DuplicateRows { get; private set; }

    /// <summary>Opens a file: detects its format and encoding and checks its header. Never throws for bad content.</summary>
    /// <param name="content">The file's bytes; read forward only, not disposed.</param>
    /// <param name="fileName">The name as received; ".xlsx" selects the workbook reader, anything else CSV.</param>
    /// <param name="contract">The feed's contract.</param>
    /// <param name="scratch">Where duplicate-row hashes beyond the first million spill (see <see cref="Validation.DuplicateRows"/>); in memory when null.</param>
    /// <param name="limits">The most the file may ask of the reader; <see cref="ReadLimits.Default"/> when null.</param>
    public static FeedReader Open(Stream content, string fileName, FeedContract contract, IScratchSpace? scratch = null, ReadLimits? limits = null) =>
        Open(content, fileName, contract, scratch, Validation.DuplicateRows.DefaultMemoryEntries, limits);

    /// <summary>As the public Open, with the number of duplicate-row hashes held in memory before a run spills (for tests).</summary>
    internal static FeedReader Open(Stream content, string fileName, FeedContract contract, IScratchSpace? scratch, int duplicateMemoryEntries, ReadLimits? limits = null)
    {
        limits ??= ReadLimits.Default;
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(contract);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (extension is ".xls" or ".xlsm" or ".xlsb" or ".ods")
        {
            var unsupported = new FeedReader(fileName, contract, null, duplicateMemoryEntries, limits);
            unsupported.fileErrors.Add(new FileError(Rules.FileFormat,
                $"{extension} files are not accepted; send CSV (comma separated) or XLSX."));
            return unsupported;
        }

        return new FeedReader(content, fileName, contract, extension == ".xlsx" ? FeedFileFormat.Xlsx : FeedFileFormat.Csv, scratch, duplicateMemoryEntries, limits);
    }

    /// <summary>Streams the data rows: each one typed and validated, or rejected with its errors. Once per reader.</summary>
    public IAsyncEnumerable<RowResult> ReadRowsAsync(CancellationToken cancellationToken = default) =>
        Records(CsvRow, XlsxRow, cancellationToken);

    /// <summary>Streams the data rows as untyped text cells aligned with <see cref="Headers"/>, with no validation. Once per reader;
    /// use instead of <see cref="ReadRowsAsync"/>, e.g. to look at columns outside the contract.</summary>
    public IAsyncEnumerable<RawRow> ReadRawAsync(CancellationToken cancellationToken = default) =>
        Records(CsvRaw, XlsxRaw, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        duplicates.Dispose();
        csv?.Dispose();
        xlsx?.Dispose();
        if (scratch.Length > 0)
        {
            ArrayPool<char>.Shared.Return(scratch);
            scratch = [];
        }
    }

    // Drives whichever format's reader this file has, yielding what the row function makes of each record (null: skip it).
    private async IAsyncEnumerable<T> Records<T>(Func<CsvRecords, T?> csvRow, Func<XlsxSheetReader, T?> xlsxRow,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : class
    {
        if (!Start())
        {
            yield break;
        }

        if (xlsx is not null)
        {
            while (xlsx.Read(fileErrors))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (xlsxRow(xlsx) is { } result)
                {
                    yield return result;
                }
            }

            yield break;
        }

        while (await csv!.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (csvRow(csv) is { } result)
            {
                yield return result;
            }

            if (fileErrors.Count > 0)
            {
                yield break;
            }
        }

        ReportCsvLimit();
    }

    private RawRow? CsvRaw(CsvRecords record)
    {
        if (record.IsBlank)
        {
            return null;
        }

        // Raw rows carry no errors, so a NUL past the first 4 KB (sniffed for one) ends the file as binary there.
        if (record.RecordBytes.Contains((byte)0))
        {
            fileErrors.Add(new FileError(Rules.FileUnreadable, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The record starting on line {record.Line} holds a NUL character (binary data, not text); the rest of the file was not read.")));
            return null;
        }

        decoding!.Accept(record.RecordBytes);
        var cells = new string[headers.Length];
        for (var c = 0; c < cells.Length; c++)
        {
            cells[c] = c < record.FieldCount ? decoding.DecodeString(record.Field(c)).Trim() : string.Empty;
        }

        return new RawRow(record.Line, cells);
    }

    private RawRow? XlsxRaw(XlsxSheetReader sheet) =>
        sheet.IsBlank ? null : new RawRow(sheet.Line, headers.Select((_, c) => FieldParser.CellText(sheet.Cell(c)).Trim()).ToArray());

    private bool Start()
    {
        if (started)
        {
            throw new InvalidOperationException("A feed file's rows can be read once.");
        }

        started = true;
        return fileErrors.Count == 0;
    }

    // A record past a limit, or with a quote never closed, ends the reading: the file is quarantined with the limit's rule.
    private void ReportCsvLimit()
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var record = string.Create(inv, $"The record starting on line {csv!.Line}");
        switch (csv.Exceeded)
        {
            case CsvLimit.RecordLength:
                fileErrors.Add(new FileError(Rules.FileRecordTooLong, string.Create(inv,
                    $"{record} runs over {limits.MaxRowBytes / 1024:N0} KB, usually a quote that is never closed; the rest of the file was not read.")));
                break;
            case CsvLimit.Columns:
                fileErrors.Add(new FileError(Rules.FileTooManyColumns, string.Create(inv,
                    $"{record} has more than {limits.MaxColumns:N0} columns; the rest of the file was not read.")));
                break;
            case CsvLimit.CellSize:
                fileErrors.Add(new FileError(Rules.FileCellTooLarge, string.Create(inv,
                    $"{record} has a cell of more than {limits.MaxCellChars:N0} bytes; the rest of the file was not read.")));
                break;
            case CsvLimit.UnclosedQuote:
                fileErrors.Add(new FileError(Rules.FileUnclosedQuote,
                    $"{record} opens a quote that is never closed; the rest of the file was not read."));
                break;
        }
    }

    private TextDecoding? OpenCsv(SniffedStream file)
    {
        var head = file.Head;
        if (head.IsEmpty)
        {
            fileErrors.Add(new FileError(Rules.FileEmpty, "The file is empty: it needs a header row."));
            return null;
        }

        // UTF-32's marks first: little-endian UTF-32 starts with UTF-16's mark.
        if (head is [0xFF, 0xFE, 0, 0, ..] or [0, 0, 0xFE, 0xFF, ..])
        {
            fileErrors.Add(new FileError(Rules.FileEncoding, "The file is UTF-32; save it as CSV UTF-8 or plain CSV."));
            return null;
        }

        if (head is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            fileErrors.Add(new FileError(Rules.FileEncoding, "The file is UTF-16 (\"Unicode text\"); save it as CSV UTF-8 or plain CSV."));
            return null;
        }

        if (head is [(byte)'P', (byte)'K', 3, 4, ..])
        {
            fileErrors.Add(new FileError(Rules.FileFormat, "The file is a workbook or zip, not CSV; send it with a .xlsx name or save it as CSV."));
            return null;
        }

        if (head.Contains((byte)0))
        {
            fileErrors.Add(new FileError(Rules.FileUnreadable, "The file contains binary data, not comma-separated text."));
            return null;
        }

        // CsvHelper passes over a UTF-8 byte order mark itself; it would transcode after any other, refused above.
        return new TextDecoding(byteOrderMark: head is [0xEF, 0xBB, 0xBF, ..]);
    }

    private string[] ReadCsvHeader(CsvRecords reader, TextDecoding text)
    {
        while (reader.Read())
        {
            if (reader.IsBlank || reader.RecordBytes.Trim((byte)' ').Trim((byte)'\t').IsEmpty)
            {
                continue;
            }

            text.Accept(reader.RecordBytes);
            var cells = new string[reader.FieldCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = text.DecodeString(reader.Field(c)).Trim();
            }

            if (cells.Length == 1 && (cells[0].Contains(';', StringComparison.Ordinal) || cells[0].Contains('\t', StringComparison.Ordinal)))
            {
                var separator = cells[0].Contains(';', StringComparison.Ordinal) ? "semicolons" : "tabs";
                fileErrors.Add(new FileError(Rules.FileDelimiter, $"The header is separated by {separator}; fields must be separated by commas."));
            }

            return TrimTrailingEmpty(cells);
        }

        if (reader.Exceeded != CsvLimit.None)
        {
            ReportCsvLimit();
            return [];
        }

        fileErrors.Add(new FileError(Rules.FileEmpty, "The file has only blank lines: it needs a header row."));
        return [];
    }

    private string[] ReadXlsxHeader(XlsxSheetReader sheet)
    {
        while (sheet.Read(fileErrors))
        {
            if (sheet.IsBlank)
            {
                continue;
            }

            var cells = new string[sheet.FieldCount];
            for (var c = 0; c < cells.Length; c++)
            {
                cells[c] = FieldParser.CellText(sheet.Cell(c)).Trim();
            }

            return TrimTrailingEmpty(cells);
        }

        if (fileErrors.Count == 0)
        {
            fileErrors.Add(new FileError(Rules.FileEmpty, "The workbook's first sheet is empty: it needs a header row."));
        }

        return [];
    }

    // Spreadsheets often carry empty cells past the last column; they are not columns.
    private static string[] TrimTrailingEmpty(string[] cells)
    {
        var count = cells.Length;
        while (count > 0 && cells[count - 1].Length == 0)
        {
            count--;
        }

        return count == cells.Length ? cells : cells[..count];
    }

    private void MapHeader()
    {
        if (fileErrors.Count > 0)
        {
            return;
        }

        var unknown = new List<string>();
        var present = new List<string>();
        for (var c = 0; c < headers.Length; c++)
        {
            if (headers[c].Length == 0)
            {
                fileErrors.Add(new FileError(Rules.HeaderEmptyColumn, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"Header cell {c + 1} is blank; every column needs a name.")));
                continue;
            }

            var field = HeaderMatcher.Match(Contract, headers[c]);
            if (field is null)
            {
                unknown.Add(headers[c]);
                continue;
            }

            var index = IndexOf(field);
            if (fieldColumns[index] >= 0)
            {
                fileErrors.Add(new FileError(Rules.HeaderDuplicateColumn,
                    $"Columns \"{headers[fieldColumns[index]]}\" and \"{headers[c]}\" both name {field.Name}.", field.Name));
                continue;
            }

            fieldColumns[index] = c;
            present.Add(field.Name);
        }

        for (var f = 0; f < fieldColumns.Length; f++)
        {
            if (fieldColumns[f] < 0 && Contract.Fields[f].Required)
            {
                var name = Contract.Fields[f].Name;
                fileErrors.Add(new FileError(Rules.HeaderMissingColumn, $"The required column {name} is missing from the header.", name));
            }
        }

        UnknownColumns = unknown;
        PresentFields = present;
    }

    private int IndexOf(FieldSpec field)
    {
        for (var i = 0; i < Contract.Fields.Count; i++)
        {
            if (ReferenceEquals(Contract.Fields[i], field))
            {
                return i;
            }
        }

        throw new InvalidOperationException($"{field.Name} is not a field of {Contract.Name}.");
    }

    private RowResult? CsvRow(CsvRecords record)
    {
        if (record.IsBlank)
        {
            return null;
        }

        var line = record.Line;
        List<RowError>? errors = null;
        var recordBytes = record.RecordBytes;
        if (!decoding!.Accept(recordBytes, out var ascii))
        {
            Add(ref errors, new RowError(line, "(row)", Rules.EncodingInvalid,
                "The row has bytes that are not valid UTF-8, although earlier rows were UTF-8; save the whole file in one encoding."));
        }

        if (record.QuoteError)
        {
            Add(ref errors, new RowError(line, "(row)", Rules.RowQuote,
                "A quoted field has text after its closing quote."));
        }

        if (recordBytes.Contains((byte)0) && UnparsedCellWithNul(record) is { } nulColumn)
        {
            Add(ref errors, new RowError(line, headers[nulColumn], Rules.EncodingInvalid,
                "The cell holds a NUL character (binary data, not text); export the file again."));
        }

        var cellCount = record.FieldCount;
        if (cellCount < headers.Length || (cellCount > headers.Length && !ExtraCellsEmpty(record)))
        {
            Add(ref errors, new RowError(line, "(row)", Rules.RowColumns, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"The row has {cellCount} cells; the header has {headers.Length}.")));
        }

        if (errors is not null)
        {
            return RowResult.Rejected(line, errors);
        }

        if (AllEmpty(record))
        {
            return null;
        }

        // The record as sent (cells, quotes and commas, without its line break): an exact repeat of an earlier row hashes
        // the same. Hashed before the cells are parsed, so the repeated-row table's slot is fetched from memory while they are.
        var hash = RowHash.Of(recordBytes);
        duplicates.Prefetch(hash);
        if (scratch.Length < recordBytes.Length)
        {
            ArrayPool<char>.Shared.Return(scratch);
            scratch = ArrayPool<char>.Shared.Rent(recordBytes.Length);
        }

        var values = new object?[fieldColumns.Length];
        for (var f = 0; f < fieldColumns.Length; f++)
        {
            var column = fieldColumns[f];
            if (column < 0)
            {
                continue;
            }

            var text = Decode(record.Field(column), ascii);
            if (parser.Parse(f, text, out var value) is { } problem)
            {
                Add(ref errors, problem.At(line));
            }
            else
            {
                values[f] = value;
            }
        }

        return Finish(line, values, errors, hash);
    }

    private RowResult? XlsxRow(XlsxSheetReader sheet)
    {
        if (sheet.IsBlank)
        {
            return null;
        }

        var line = sheet.Line;
        List<RowError>? errors = null;
        for (var c = headers.Length; c < sheet.FieldCount; c++)
        {
            if (FieldParser.CellText(sheet.Cell(c)).Trim().Length > 0)
            {
                Add(ref errors, new RowError(line, "(row)", Rules.RowColumns, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The row has a value in column {c + 1}, beyond the header's {headers.Length} columns.")));
                return RowResult.Rejected(line, errors!);
            }
        }

        var values = new object?[fieldColumns.Length];
        for (var f = 0; f < fieldColumns.Length; f++)
        {
            var column = fieldColumns[f];
            if (column < 0)
            {
                continue;
            }

            if (parser.ParseCell(f, sheet.Cell(column), out var value) is { } problem)
            {
                Add(ref errors, problem.At(line));
            }
            else
            {
                values[f] = value;
            }
        }

        for (var c = 0; c < headers.Length; c++)
        {
            cellHash.Add(FieldParser.CellText(sheet.Cell(c)).AsSpan().Trim());
        }

        return Finish(line, values, errors, cellHash.Finish());
    }

    private RowResult Finish(long line, object?[] values, List<RowError>? errors, ulong hash)
    {
        // Most rows pass: the cross-field checks write into one reused list, copied only when they find something.
        crossFieldErrors.Clear();
        checks.Check(values, line, crossFieldErrors);
        freeText.Check(values, line, crossFieldErrors);
        if (crossFieldErrors.Count > 0)
        {
            (errors ??= []).AddRange(crossFieldErrors);
        }

        if (errors is { Count: > 0 })
        {
            return RowResult.Rejected(line, errors);
        }

        // Only rows that pass are remembered: the first valid copy is kept, later copies rejected.
        if (duplicates.IsRepeat(hash))
        {
            DuplicateRows++;
            return RowResult.Rejected(line, [new RowError(line, "(row)", Rules.RowDuplicate,
                "The row repeats an earlier row of this file exactly; the first copy was kept.")]);
        }

        return RowResult.Accepted(new ParsedRow(line, values));
    }

    // Decodes a cell into the one scratch buffer (as long as the record), which the next cell overwrites: the parser
    // copies what it keeps. Most records are pure ASCII, widened without a decoder.
    private ReadOnlySpan<char> Decode(ReadOnlySpan<byte> cell, bool ascii)
    {
        if (!ascii)
        {
            return decoding!.Decode(cell, scratch);
        }

        System.Text.Ascii.ToUtf16(cell, scratch, out var widened);
        return scratch.AsSpan(0, widened);
    }

    // Only the first 4 KB are sniffed for a NUL; a contract field's cell is checked for one as it is parsed, so this finds
    // one in a column outside the contract, which is never parsed.
    private int? UnparsedCellWithNul(CsvRecords record)
    {
        for (var c = 0; c < Math.Min(record.FieldCount, headers.Length); c++)
        {
            if (Array.IndexOf(fieldColumns, c) < 0 && record.Field(c).Contains((byte)0))
            {
                return c;
            }
        }

        return null;
    }

    private bool ExtraCellsEmpty(CsvRecords record)
    {
        for (var c = headers.Length; c < record.FieldCount; c++)
        {
            if (!record.Field(c).Trim((byte)' ').IsEmpty)
            {
                return false;
            }
        }

        return true;
    }

    private bool AllEmpty(CsvRecords record)
    {
        for (var c = 0; c < headers.Length; c++)
        {
            if (!record.Field(c).Trim((byte)' ').IsEmpty)
            {
                return false;
            }
        }

        return true;
    }

    private static void Add(ref List<RowError>? errors, RowError error) => (errors ??= []).Add(error);
}
