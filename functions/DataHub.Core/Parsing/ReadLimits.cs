namespace DataHub.Core.Parsing;

/// <summary>
/// The most a partner file may ask of the reader. A file past any limit is quarantined with the limit's rule (see
/// <see cref="Validation.Rules"/>), so a hostile or broken file (a zip-bomb workbook, a cell of a gigabyte, a million
/// columns) cannot exhaust memory: the reader's memory stays bounded by these figures, whatever the file.
/// </summary>
public sealed record ReadLimits
{
    /// <summary>The defaults: far above any real extract.</summary>
    public static ReadLimits Default { get; } = new();

    /// <summary>Columns in a row, up to its last non-empty cell (default 1,024; a feed has a few dozen at most).</summary>
    public int MaxColumns { get; init; } = 1024;

    /// <summary>Characters in one cell (default 32,767, Excel's own limit); for CSV counted in bytes.</summary>
    public int MaxCellChars { get; init; } = 32_767;

    /// <summary>Bytes in one CSV record, or characters in one workbook row (default 1 MiB).</summary>
    public int MaxRowBytes { get; init; } = 1 << 20;

    /// <summary>Bytes a workbook's parts may inflate to in all, and the largest workbook taken (default 1 GiB).</summary>
    public long MaxWorkbookBytes { get; init; } = 1L << 30;

    /// <summary>Bytes a workbook's shared strings may inflate to: they are held in memory while the sheet is read (default 256 MiB).</summary>
    public long MaxSharedStringsBytes { get; init; } = 256L << 20;

    /// <summary>Shared strings a workbook may hold (default 4,000,000). ExcelDataReader keeps every one as its own string
    /// whatever its length, some 20 to 40 bytes each before its text, so a few hundred KB of empty items that compress to
    /// nothing would cost it a gigabyte; a full sheet (1,048,576 rows) with three distinct texts a row stays within it.</summary>
    public long MaxSharedStrings { get; init; } = 4_000_000;
}
