using CsvHelper;

namespace DataHub.Core.Parsing;

/// <summary>A partner CSV's records as CsvHelper's reader splits them (RFC 4180, comma only, nothing trimmed), held to the
/// reader's limits and with each record's quoting faults noted: fields stay UTF-8 or Windows-1252 bytes, decoded by the caller.</summary>
/// <remarks>CsvHelper is given the bytes as they are and never transcodes them: the comma, quote and line breaks are the same
/// bytes in both accepted encodings, and which one a file is in is only known once its first non-ASCII row is read
/// (<see cref="TextDecoding"/>), which may be far into it.</remarks>
internal sealed class CsvRecords : IDisposable
{
    private readonly CsvReader reader;
    private readonly ReadLimits limits;
    private long malformedRecord;

    /// <param name="content">The file's bytes, sniffed: no byte order mark but UTF-8's, which CsvHelper passes over; not disposed.</param>
    /// <param name="limits">The reader's limits.</param>
    public CsvRecords(Stream content, ReadLimits limits)
    {
        this.limits = limits;
        var options = new CsvReaderOptions
        {
            Separator = ',',
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            TrimWhitespace = false,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            TrackLineNumbers = true,

            // CsvHelper grows its buffer no further than about twice this, so memory stays bounded; the exact limit is
            // checked on each record below, since CsvHelper checks it only when it needs more input.
            MaxRecordSize = limits.MaxRowBytes,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = Malformed,
            IncludeValuesInExceptions = false,
            DetectSeparatorHint = false,
            BufferSize = 256 << 10,
        };
        reader = CsvReader.Create(content, options, leaveOpen: true);
    }

    /// <summary>The physical line the current record starts on (or, past a limit, the record that broke it).</summary>
    public long Line { get; private set; }

    /// <summary>The number of fields in the current record.</summary>
    public int FieldCount => reader.FieldCount;

    /// <summary>True when a quoted field of the current record has text after its closing quote.</summary>
    public bool QuoteError { get; private set; }

    /// <summary>The limit the last record passed, or its quote never closed, if any; reading stops there.</summary>
    public CsvLimit Exceeded { get; private set; }

    /// <summary>True when the current record has no content: a line of only <c>""</c> (CsvHelper skips truly empty lines itself).</summary>
    public bool IsBlank => reader.FieldCount == 1 && reader.GetSpan(0).IsEmpty && !QuoteError;

    /// <summary>The record as sent, without its line break: cells, quotes and commas.</summary>
    public ReadOnlySpan<byte> RecordBytes => reader.RawRecord;

    /// <summary>The bytes of field <paramref name="index"/>, unquoted and unescaped; valid until the next read.</summary>
    public ReadOnlySpan<byte> Field(int index) => reader.GetSpan(index);

    /// <summary>Reads the next record within the limits; false at the end of the file or at a record past a limit.</summary>
    public bool Read()
    {
        try
        {
            return reader.Read() && WithinLimits();
        }
        catch (CsvFormatException e)
        {
            return TooLong(e);
        }
    }

    /// <summary>As <see cref="Read"/>, reading the file asynchronously.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) && WithinLimits();
        }
        catch (CsvFormatException e)
        {
            return TooLong(e);
        }
    }

    /// <inheritdoc />
    public void Dispose() => reader.Dispose();

    // CsvHelper reports a record's first quoting fault only, and a stray quote kept as text (5'11") may come before one
    // that is not, so every report is noted and the record's quoted fields are then checked from their bytes.
    private void Malformed(CsvMalformedRecord record) => malformedRecord = record.RecordNumber;

    // A stray quote inside an unquoted field is kept as text, as RFC 4180 readers commonly do; text after a closing quote
    // leaves the record's cells in doubt, so the row is refused; a quote never closed runs to the end of the file, taking
    // every later row into one cell, so the reading ends there as at a limit.
    private CsvLimit CheckQuotedFields()
    {
        for (var f = 0; f < reader.FieldCount; f++)
        {
            var raw = reader.GetRawSpan(f);
            if (raw is [(byte)'"', ..] && ClosingQuote(raw) is var closing && closing != raw.Length - 1)
            {
                if (closing < 0)
                {
                    return CsvLimit.UnclosedQuote;
                }

                QuoteError = true;
            }
        }

        return CsvLimit.None;
    }

    // Where a quoted field as sent closes: the first quote after the opening one that is not half of a "" pair; -1 if none.
    private static int ClosingQuote(ReadOnlySpan<byte> raw)
    {
        var i = 1;
        while (i < raw.Length)
        {
            var quote = raw[i..].IndexOf((byte)'"');
            if (quote < 0)
            {
                return -1;
            }

            i += quote;
            if (i + 1 < raw.Length && raw[i + 1] == (byte)'"')
            {
                i += 2;
                continue;
            }

            return i;
        }

        return -1;
    }

    // With the recovering options only a record larger than MaxRecordSize makes CsvHelper throw.
    private bool TooLong(CsvFormatException e)
    {
        Exceeded = CsvLimit.RecordLength;
        Line = e.LineNumber;
        return false;
    }

    private bool WithinLimits()
    {
        Line = reader.LineNumber;
        QuoteError = false;
        var length = reader.RawRecord.Length;
        Exceeded = length > limits.MaxRowBytes ? CsvLimit.RecordLength
            : reader.FieldCount > limits.MaxColumns ? CsvLimit.Columns
            : length > limits.MaxCellChars && HasLargeCell() ? CsvLimit.CellSize
            : malformedRecord == reader.RowNumber ? CheckQuotedFields()
            : CsvLimit.None;
        return Exceeded == CsvLimit.None;
    }

    // Measured as sent, quotes and "" pairs included, as the limit is documented: the bytes the file asks the reader to hold.
    private bool HasLargeCell()
    {
        for (var f = 0; f < reader.FieldCount; f++)
        {
            if (reader.GetRawSpan(f).Length > limits.MaxCellChars)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>Which of the reader's limits a CSV record passed, or the unclosed quote that ends the reading as they do.</summary>
internal enum CsvLimit
{
    /// <summary>None.</summary>
    None,

    /// <summary>The record is longer than <see cref="ReadLimits.MaxRowBytes"/> (often an unclosed quote).</summary>
    RecordLength,

    /// <summary>The record has more fields than <see cref="ReadLimits.MaxColumns"/>.</summary>
    Columns,

    /// <summary>A field is longer than <see cref="ReadLimits.MaxCellChars"/> bytes as sent (quotes included).</summary>
    CellSize,

    /// <summary>Not a limit, but it ends the reading as one does: a quoted field is never closed, so it runs to the end of the file.</summary>
    UnclosedQuote,
}
