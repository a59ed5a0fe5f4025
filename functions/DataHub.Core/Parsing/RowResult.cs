using DataHub.Core.Feeds;

namespace DataHub.Core.Parsing;

/// <summary>One data row read from a feed file: either a <see cref="ParsedRow"/> that passed every rule, or the rule errors
/// that rejected it (exactly one of the two is set).</summary>
public sealed class RowResult
{
    private RowResult(long line, ParsedRow? row, IReadOnlyList<RowError>? errors)
    {
        Line = line;
        Row = row;
        Errors = errors;
    }

    /// <summary>The physical line (CSV) or sheet row (XLSX) the row started on; the header is line 1.</summary>
    public long Line { get; }

    /// <summary>The typed row, when it passed; null when rejected.</summary>
    public ParsedRow? Row { get; }

    /// <summary>Why the row was rejected (at least one error); null when it passed.</summary>
    public IReadOnlyList<RowError>? Errors { get; }

    /// <summary>True when the row passed every rule.</summary>
    public bool IsValid => Row is not null;

    /// <summary>A row that passed.</summary>
    public static RowResult Accepted(ParsedRow row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new RowResult(row.Line, row, null);
    }

    /// <summary>A row that was rejected.</summary>
    public static RowResult Rejected(long line, IReadOnlyList<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (errors.Count == 0)
        {
            throw new ArgumentException("A rejected row needs at least one error.", nameof(errors));
        }

        return new RowResult(line, null, errors);
    }
}

/// <summary>One data row's cells as text, untyped and aligned with <see cref="FeedReader.Headers"/> (for columns outside the contract).</summary>
/// <param name="Line">The physical line or sheet row the row started on.</param>
/// <param name="Cells">The cell text per header column, trimmed; empty where the row is short.</param>
public sealed record RawRow(long Line, IReadOnlyList<string> Cells);

/// <summary>The file formats partners may send.</summary>
public enum FeedFileFormat
{
    /// <summary>Comma-separated values, UTF-8 (with or without BOM) or Windows-1252.</summary>
    Csv,

    /// <summary>An Excel workbook; the first sheet is read.</summary>
    Xlsx,
}
