namespace DataHub.Core.Feeds;

/// <summary>A data row that passed every rule: typed values aligned with <see cref="FeedContract.Fields"/>.</summary>
/// <param name="Line">The 1-based physical line (CSV) or sheet row (XLSX) the row started on; the header is line 1.</param>
/// <param name="Values">string, DateOnly, int or bool per field; null where an optional field is absent or empty.</param>
public sealed record ParsedRow(long Line, IReadOnlyList<object?> Values);

/// <summary>Why a row was rejected. The message names the rule, never the offending value of an identifier.</summary>
/// <param name="Line">The 1-based line or sheet row.</param>
/// <param name="Column">The contract field name, or the header as sent when it is not a contract field.</param>
/// <param name="Rule">A stable rule code, e.g. "date.format", "nhs.check_digit", "sessions.sum".</param>
/// <param name="Message">A sentence a partner's analyst can act on.</param>
public sealed record RowError(long Line, string Column, string Rule, string Message);

/// <summary>Why a whole file cannot be accepted (no header, missing required column, unreadable, …).</summary>
/// <param name="Rule">A stable rule code, e.g. "file.empty", "header.missing_column".</param>
/// <param name="Message">A sentence a partner's analyst can act on.</param>
/// <param name="Column">The column concerned, where there is one.</param>
public sealed record FileError(string Rule, string Message, string? Column = null);
