using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using DataHub.Core.Feeds;
using DataHub.Core.Validation;

namespace DataHub.Core.Parsing;

/// <summary>
/// Checks a workbook against the reader's limits before ExcelDataReader opens it, streaming through every XML part it
/// would read without building anything: the bytes each part really inflates to (a zip's own sizes can lie), the
/// longest text (a cell), the longest tag, how deep elements nest, every cell and row reference, and every cell's
/// reference into the shared strings (ExcelDataReader reads one past their end as the index's own digits). ExcelDataReader holds a cell's text, the
/// shared strings and one array per row sized by the row's last column in memory, so each is bounded before it is read.
/// </summary>
internal static class WorkbookCheck
{
    /// <summary>The largest grid a spreadsheet can have (XFD1048576): a reference beyond it is not a real workbook.</summary>
    private const int GridColumns = 16_384;

    private const int GridRows = 1_048_576;

    /// <summary>The longest tag taken: real workbooks' tags are a few hundred bytes.</summary>
    private const int MaxTagBytes = 64 << 10;

    /// <summary>The deepest nesting of elements taken: spreadsheet programs write a dozen levels or so, and the XML reader
    /// keeps a record per open element, so a few million empty ones (a few MB that compress to nothing) cost gigabytes.</summary>
    private const int MaxDepth = 256;

    /// <summary>The most runs one shared or inline text may be split into: ExcelDataReader joins them one by one, copying
    /// the text so far each time, so millions of one-letter runs cost hours; real rich text has a handful.</summary>
    private const int MaxTextRuns = 1_000;

    /// <summary>The most relationships the workbook's relationship part may list: ExcelDataReader matches each against
    /// every sheet; real workbooks list a few dozen.</summary>
    private const int MaxRelationships = 10_000;

    /// <summary>The most number formats the styles may define: ExcelDataReader checks each new one against all before it
    /// (CPU grows with the square of their count); Excel itself keeps a few hundred.</summary>
    private const int MaxNumberFormats = 1_000;

    /// <summary>The longest number format code taken, in characters: Excel's own limit.</summary>
    private const int MaxFormatCodeChars = 255;

    /// <summary>The most cell formats (<c>xf</c>) in each of the styles' two lists: ExcelDataReader holds an object per
    /// format, several times the bytes of its tag; Excel allows 64,000.</summary>
    private const int MaxCellFormats = 65_536;

    /// <summary>The most merged ranges a sheet may list: ExcelDataReader holds each; real sheets merge a few hundred.</summary>
    private const int MaxMergedRanges = 100_000;

    /// <summary>The most column descriptions a sheet may list: one per column of the grid at most.</summary>
    private const int MaxColumnDescriptions = GridColumns;

    /// <summary>Shared texts longer than this many bytes have their length noted, for the rows that refer to them: the
    /// shared strings are capped, so this bounds the note to a few hundred thousand entries; shorter ones are not worth
    /// noting (a full row of them costs ExcelDataReader tens of MB at most).</summary>
    private const int LongSharedTextBytes = 1 << 10;

    /// <summary>The characters XML counts as white space: a value of only these is no value.</summary>
    private static readonly SearchValues<byte> XmlSpace = SearchValues.Create(" \t\n\r"u8);

    /// <summary>The first limit <paramref name="workbook"/> passes, or the first way it would be misread, or null when it is
    /// within every one (read from the start; left open).</summary>
    public static FileError? Check(Stream workbook, ReadLimits limits)
    {
        using var zip = new ZipArchive(workbook, ZipArchiveMode.Read, leaveOpen: true);
        long total = 0;
        var buffer = new byte[1 << 16];
        var highestReference = -1L;
        var holdsData = new Dictionary<ZipArchiveEntry, bool>();
        var sharedStrings = WorkbookSheets.SharedStrings(zip);
        IReadOnlyDictionary<long, long> longSharedTexts = new Dictionary<long, long>();

        // Only the parts ExcelDataReader reads, found as it finds them: the workbook and its relationships first (read
        // here with an XML reader to list the sheets), then the shared strings (so a sheet's rows can be measured with the
        // texts they refer to), every sheet and the styles. Other parts (images, properties, custom XML) it never
        // inflates, so neither does this.
        foreach (var entry in (ZipArchiveEntry?[])[WorkbookSheets.Workbook(zip), WorkbookSheets.Relationships(zip)])
        {
            if (entry is not null && Scan(entry) is { } problem)
            {
                return problem;
            }
        }

        if (WorkbookSheets.Read(zip) is not { } sheets)
        {
            return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                $"The workbook lists more than {WorkbookSheets.MaxSheets:N0} sheets, far more than any real extract holds; it is not read."));
        }

        foreach (var part in sheets.Select(s => s.Part).Prepend(sharedStrings).Append(WorkbookSheets.Styles(zip)))
        {
            if (part is not null && !holdsData.ContainsKey(part) && Scan(part) is { } problem)
            {
                return problem;
            }
        }

        // Checked once every part is read (the shared strings may come before or after the sheets in the zip), and
        // counted as ExcelDataReader counts them: the si children of the root sst of xl/sharedStrings.xml.
        var items = sharedStrings is null ? 0 : WorkbookSheets.CountSharedStrings(sharedStrings);
        if (highestReference >= items)
        {
            return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                $"A cell of the workbook refers to shared text {highestReference:N0}, but the workbook holds {items:N0} (it is corrupt); save it again or send CSV."));
        }

        return DataBesidesTheFirstSheet(sheets, holdsData);

        FileError? Scan(ZipArchiveEntry entry)
        {
            var shared = entry == sharedStrings;
            var partLimit = shared ? Math.Min(limits.MaxSharedStringsBytes, limits.MaxWorkbookBytes) : limits.MaxWorkbookBytes;
            if (entry.Length > partLimit || total + entry.Length > limits.MaxWorkbookBytes)
            {
                return TooLarge(limits, shared);
            }

            var scan = new PartScan(limits, longSharedTexts);
            long inflated = 0;
            using var part = entry.Open();
            int n;
            while ((n = part.Read(buffer)) > 0)
            {
                inflated += n;
                if (inflated > partLimit || total + inflated > limits.MaxWorkbookBytes)
                {
                    return TooLarge(limits, shared);
                }

                if (scan.Feed(buffer.AsSpan(0, n)) is { } problem)
                {
                    return problem;
                }
            }

            total += inflated;
            holdsData[entry] = scan.HoldsData;
            longSharedTexts = shared ? scan.LongTexts : longSharedTexts;
            highestReference = Math.Max(highestReference, scan.HighestReference);
            return null;
        }
    }

    // The hub reads the first sheet only (XlsxSheetReader): rows on any other would be lost without a word, so a workbook
    // with a value on another sheet, hidden or not, is refused whole. Sheets are named by position, never by name (a
    // partner's sheet name may name a person).
    private static FileError? DataBesidesTheFirstSheet(IReadOnlyList<WorkbookSheet> sheets, Dictionary<ZipArchiveEntry, bool> holdsData)
    {
        var withData = Enumerable.Range(1, Math.Max(0, sheets.Count - 1))
            .Where(i => sheets[i].Part is { } part && holdsData.GetValueOrDefault(part)).ToList();
        if (withData.Count == 0)
        {
            return null;
        }

        var inv = CultureInfo.InvariantCulture;
        var which = withData.Count == 1
            ? string.Create(inv, $"a sheet besides the first (sheet {withData[0] + 1} of {sheets.Count}")
            : string.Create(inv, $"{withData.Count} sheets besides the first (sheets {Positions(withData)} of {sheets.Count}");
        var hidden = withData.Prepend(0).Where(i => sheets[i].Hidden).ToList();
        var hiddenNote = hidden.Count switch
        {
            0 => string.Empty,
            1 when hidden[0] == 0 => "; the first sheet is hidden",
            1 => string.Create(inv, $"; sheet {hidden[0] + 1} is hidden"),
            _ => string.Create(inv, $"; sheets {Positions(hidden)} are hidden"),
        };
        return new FileError(Rules.FileSheets,
            $"The workbook holds data on {which}{hiddenNote}); the hub reads one sheet per file: send each sheet as its own file, or as CSV.");
    }

    // Sheet positions, 1-based, as "2", "2 and 3" or "2, 3 and 5"; a long list ends "and 40 more".
    private static string Positions(List<int> indexes)
    {
        const int Shown = 10;
        var numbers = indexes.Take(Shown).Select(i => (i + 1).ToString(CultureInfo.InvariantCulture)).ToList();
        if (indexes.Count > Shown)
        {
            return string.Join(", ", numbers) + string.Create(CultureInfo.InvariantCulture, $" and {indexes.Count - Shown:N0} more");
        }

        return numbers.Count == 1 ? numbers[0] : string.Join(", ", numbers[..^1]) + " and " + numbers[^1];
    }

    private static FileError TooLarge(ReadLimits limits, bool shared) => new(Rules.FileDecompressedTooLarge, shared
        ? string.Create(CultureInfo.InvariantCulture, $"The workbook's text inflates to more than {limits.MaxSharedStringsBytes >> 20:N0} MB; send the extract as CSV or in parts.")
        : string.Create(CultureInfo.InvariantCulture, $"The workbook inflates to more than {limits.MaxWorkbookBytes >> 20:N0} MB (a compressed file that expands without bound is refused); send the extract as CSV or in parts."));

    /// <summary>Walks one XML part's bytes as they inflate, as an XML reader would see them: text runs between tags, and
    /// tags with their quoted attributes. Comments, processing instructions (but the leading XML declaration) and CDATA
    /// sections are refused: no spreadsheet program writes them in the parts ExcelDataReader reads, and each would need
    /// its own rules to keep nesting, values and shared-text references seen as the reader sees them.</summary>
    private sealed class PartScan(ReadLimits limits, IReadOnlyDictionary<long, long> longSharedTexts)
    {
        // Escaped UTF-8 takes at most 6 bytes a character ("&quot;"), so this many bytes may hold a cell within the limit.
        private readonly long _maxTextBytes = (long)limits.MaxCellChars * 6;

        // And this many a row: ExcelDataReader makes a new string for every reference to a shared text, so a row's
        // references to one long text cost it their sum.
        private readonly long _maxRowBytes = (long)limits.MaxRowBytes * 6;
        private readonly Dictionary<long, long> _longTexts = [];
        private long _items;
        private int _itemDepth;
        private long _rowBytes;
        private readonly byte[] _tag = new byte[MaxTagBytes];
        private int _tagLength;
        private bool _inTag;
        private bool _markup;
        private byte _quote;
        private long _tags;
        private long _text;
        private int _depth;
        private bool _sharedCell;
        private bool _inIndex;
        private IndexState _index;
        private int _indexDigits;
        private long _indexValue;
        private readonly byte[] _path = new byte[MaxDepth + 1];
        private int _start;
        private int _cellDepth;
        private int _valueDepth;
        private int _itemTextDepth;
        private long _itemBytes;
        private int _itemRuns;
        private long _relationships;
        private long _numberFormats;
        private long _cellFormats;
        private long _cellStyleFormats;
        private long _mergedRanges;
        private long _columnDescriptions;
        private long _nextRow;
        private long _runRow = -2;
        private long _nextColumn;

        // The columns taken in the current row run, one bit each, and the span of words set (cleared per run).
        private readonly ulong[] _runColumns = new ulong[GridColumns / 64];
        private int _runLowWord = int.MaxValue;
        private int _runHighWord = -1;

        private enum IndexState
        {
            Empty,
            Leading,
            Digits,
            Trailing,
            NotANumber,
        }

        /// <summary>True once a cell (<c>c</c>) has shown a value: text in its <c>v</c>, or in an inline string's <c>t</c>.</summary>
        public bool HoldsData { get; private set; }

        /// <summary>In the shared strings, the escaped bytes of each text longer than <see cref="LongSharedTextBytes"/>, by index.</summary>
        public IReadOnlyDictionary<long, long> LongTexts => _longTexts;

        /// <summary>The highest shared-string index a cell of the part refers to; -1 when none does.</summary>
        public long HighestReference { get; private set; } = -1;

        public FileError? Feed(ReadOnlySpan<byte> bytes)
        {
            // UTF-8 only, as the scan reads it: an XML reader would decode a part in another encoding (a byte-order mark,
            // a declared encoding, or UTF-16 guessed from its first bytes) that this scan sees as one opaque run.
            if (bytes.Contains((byte)0) || !StartsAsUtf8(bytes))
            {
                return NotUtf8();
            }

            while (!bytes.IsEmpty)
            {
                if (!_inTag)
                {
                    var open = bytes.IndexOf((byte)'<');
                    var run = open < 0 ? bytes : bytes[..open];
                    _text += run.Length;
                    if (_valueDepth > 0 && run.ContainsAnyExcept(XmlSpace))
                    {
                        HoldsData = true;
                    }

                    if (_valueDepth > 0 && (_rowBytes += run.Length) > _maxRowBytes)
                    {
                        return RowTooLong();
                    }

                    if (_itemTextDepth > 0 && (_itemBytes += run.Length) > _maxTextBytes)
                    {
                        return CellTooLarge();
                    }

                    if (_inIndex)
                    {
                        ReadIndex(run);
                        if (open >= 0 && EndIndex() is { } badIndex)
                        {
                            return badIndex;
                        }
                    }

                    if (_text > _maxTextBytes)
                    {
                        return CellTooLarge();
                    }

                    if (open < 0)
                    {
                        return null;
                    }

                    (_inTag, _tagLength, _text) = (true, 0, 0);
                    bytes = bytes[(open + 1)..];
                    continue;
                }

                if (_tagLength == 0)
                {
                    // A comment, CDATA section, declaration or processing instruction: read to its first '>' without
                    // quotes (a quote inside one is text), then refused unless it is the leading XML declaration.
                    _markup = bytes[0] is (byte)'!' or (byte)'?';
                }

                // Inside a tag: '>' ends it unless quoted (an attribute value may hold '>').
                var stop = _quote != 0 ? bytes.IndexOf(_quote)
                    : _markup ? bytes.IndexOf((byte)'>')
                    : bytes.IndexOfAny((byte)'>', (byte)'"', (byte)'\'');
                var take = stop < 0 ? bytes.Length : stop + 1;
                if (_tagLength + take > MaxTagBytes)
                {
                    return new FileError(Rules.FileUnreadable, "The workbook has an element far larger than any spreadsheet program writes; it is not read.");
                }

                bytes[..take].CopyTo(_tag.AsSpan(_tagLength));
                _tagLength += take;
                bytes = bytes[take..];
                if (stop < 0)
                {
                    return null;
                }

                var at = _tag[_tagLength - 1];
                if (_quote != 0)
                {
                    _quote = 0;
                }
                else if (at is (byte)'"' or (byte)'\'')
                {
                    _quote = at;
                }
                else
                {
                    _inTag = false;
                    if (Tag(_tag.AsSpan(0, _tagLength - 1)) is { } problem)
                    {
                        return problem;
                    }
                }
            }

            return null;
        }

        private FileError RowTooLong() => new(Rules.FileRecordTooLong, string.Create(CultureInfo.InvariantCulture,
            $"Row {_runRow + 1:N0} of a sheet of the workbook holds more than {limits.MaxRowBytes / 1024:N0} K characters, counting the shared text its cells refer to; it is not read."));

        private FileError CellTooLarge() => new(Rules.FileCellTooLarge, string.Create(CultureInfo.InvariantCulture,
            $"A cell of the workbook holds more than {limits.MaxCellChars:N0} characters (the most a spreadsheet cell can hold)."));

        private static FileError NotUtf8() => new(Rules.FileUnreadable,
            "The workbook is written in a character encoding other than UTF-8, which spreadsheet programs do not use in a workbook; it is not read: save it again from the spreadsheet program, or send CSV.");

        // A part starts with '<' or white space, after at most the UTF-8 byte-order mark (EF BB BF): any other mark, or
        // a first byte an XML reader takes for UTF-16 or EBCDIC, is refused. Tracks the start across reads.
        private bool StartsAsUtf8(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                _start = (_start, b) switch
                {
                    (4, _) => 4,
                    (0, 0xEF) => 1,
                    (1, 0xBB) => 2,
                    (2, 0xBF) => 3,
                    (0 or 3, (byte)'<' or (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n') => 4,
                    _ => -1,
                };
                if (_start is -1 or 4)
                {
                    return _start == 4;
                }
            }

            return true;
        }

        // The declaration's encoding, when it gives one, must be UTF-8 (in any case), as the scan reads the part.
        private static FileError? DeclaredEncoding(ReadOnlySpan<byte> declaration)
        {
            var rest = declaration[4..^1];
            while (true)
            {
                var next = NextAttribute(ref rest, out var name, out var value);
                if (next == Attribute.Malformed)
                {
                    return Malformed();
                }

                if (next == Attribute.End)
                {
                    return null;
                }

                if (name.SequenceEqual("encoding"u8) && !Ascii.EqualsIgnoreCase(value, "UTF-8"u8))
                {
                    return NotUtf8();
                }
            }
        }

        // Element paths by local name, as ExcelDataReader reads them (it also asks for the spreadsheet namespace, so
        // matching names alone sees every element it reads, and perhaps a few more).
        private const byte Other = 0, Worksheet = 1, SheetData = 2, Row = 3, Cell = 4, Value = 5, Inline = 6, Text = 7, Run = 8,
            Sst = 9, Item = 10, Relationships = 11, Relationship = 12, StyleSheet = 13, NumFmts = 14, NumFmt = 15, CellXfs = 16,
            CellStyleXfs = 17, Xf = 18, MergeCells = 19, MergeCell = 20, Cols = 21, Col = 22;

        private static byte Kind(ReadOnlySpan<byte> local) =>
            local.SequenceEqual("c"u8) ? Cell
            : local.SequenceEqual("v"u8) ? Value
            : local.SequenceEqual("t"u8) ? Text
            : local.SequenceEqual("r"u8) ? Run
            : local.SequenceEqual("row"u8) ? Row
            : local.SequenceEqual("is"u8) ? Inline
            : local.SequenceEqual("si"u8) ? Item
            : local.SequenceEqual("sheetData"u8) ? SheetData
            : local.SequenceEqual("worksheet"u8) ? Worksheet
            : local.SequenceEqual("sst"u8) ? Sst
            : local.SequenceEqual("Relationship"u8) ? Relationship
            : local.SequenceEqual("Relationships"u8) ? Relationships
            : local.SequenceEqual("styleSheet"u8) ? StyleSheet
            : local.SequenceEqual("numFmts"u8) ? NumFmts
            : local.SequenceEqual("numFmt"u8) ? NumFmt
            : local.SequenceEqual("cellXfs"u8) ? CellXfs
            : local.SequenceEqual("cellStyleXfs"u8) ? CellStyleXfs
            : local.SequenceEqual("xf"u8) ? Xf
            : local.SequenceEqual("mergeCells"u8) ? MergeCells
            : local.SequenceEqual("mergeCell"u8) ? MergeCell
            : local.SequenceEqual("cols"u8) ? Cols
            : local.SequenceEqual("col"u8) ? Col
            : Other;

        // True when the open elements are exactly path, root first.
        private bool Within(ReadOnlySpan<byte> path) => _depth == path.Length && _path.AsSpan(0, _depth).SequenceEqual(path);

        // One whole tag, without its angle brackets.
        private FileError? Tag(ReadOnlySpan<byte> tag)
        {
            if (_tags++ == 0 && IsDeclaration(tag))
            {
                return DeclaredEncoding(tag);
            }

            if (Markup(tag) is { } what)
            {
                return new FileError(Rules.FileUnreadable,
                    $"The workbook holds {what}, which no spreadsheet program writes in a workbook's sheets or text; it is not read: save it again from the spreadsheet program, or send CSV.");
            }

            var end = !tag.IsEmpty && tag[0] == (byte)'/';
            var selfClosing = !end && !tag.IsEmpty && tag[^1] == (byte)'/';
            var body = end ? tag[1..] : selfClosing ? tag[..^1] : tag;
            var nameEnd = body.IndexOfAny(XmlSpace);
            var name = nameEnd < 0 ? body : body[..nameEnd];
            var rest = nameEnd < 0 ? [] : body[nameEnd..];
            if (name.IsEmpty || (end && rest.ContainsAnyExcept(XmlSpace)))
            {
                return Malformed();
            }

            var colon = name.IndexOf((byte)':');
            var kind = end ? Other : Kind(colon >= 0 ? name[(colon + 1)..] : name);

            // Where the element stands, read before it is opened: a cell's value is only its own v, or the t of its own
            // is (directly or in a run), as ExcelDataReader reads it; any other element inside a cell it skips.
            var isRow = kind == Row && Within([Worksheet, SheetData]);
            var isCell = kind == Cell && Within([Worksheet, SheetData, Row]);
            var isValue = kind == Value && Within([Worksheet, SheetData, Row, Cell]);
            var isInline = kind == Inline && Within([Worksheet, SheetData, Row, Cell]);
            var isInlineText = kind == Text && (Within([Worksheet, SheetData, Row, Cell, Inline]) || Within([Worksheet, SheetData, Row, Cell, Inline, Run]));
            var isItem = kind == Item && Within([Sst]);
            var isItemText = kind == Text && (Within([Sst, Item]) || Within([Sst, Item, Run]));
            if (kind == Relationship && Within([Relationships]) && ++_relationships > MaxRelationships)
            {
                return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                    $"The workbook lists more than {MaxRelationships:N0} relationships between its parts, far more than any spreadsheet program writes; it is not read."));
            }

            if (Listed(kind) is { } tooMany)
            {
                return tooMany;
            }

            if (Nest(end, selfClosing) is { } nesting)
            {
                return nesting;
            }

            if (end)
            {
                Close();
                return null;
            }

            if (!selfClosing)
            {
                _path[_depth - 1] = kind;
            }

            if (isItem || isInline)
            {
                (_itemBytes, _itemRuns) = (0, 0);
            }

            if (isItem)
            {
                // Numbered as ExcelDataReader numbers them; one that closes itself is an empty text.
                (_itemDepth, _items) = (selfClosing ? 0 : _depth, _items + (selfClosing ? 1 : 0));

                // Counted as each opens (one that closes itself is already counted), so the count is refused as it
                // inflates, long before ExcelDataReader would hold them all.
                if (_items + (selfClosing ? 0 : 1) > limits.MaxSharedStrings)
                {
                    return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                        $"The workbook holds more than {limits.MaxSharedStrings:N0} shared texts, more than the hub reads from one workbook; it is not read: send the extract as CSV or in parts."));
                }
            }

            if ((isItemText || isInlineText) && ++_itemRuns > MaxTextRuns)
            {
                return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                    $"The workbook splits one cell's text into more than {MaxTextRuns:N0} runs, far more than any spreadsheet program writes; it is not read."));
            }

            if (!selfClosing)
            {
                _valueDepth = isValue || isInlineText ? _depth : _valueDepth;
                _itemTextDepth = isItemText || isInlineText ? _depth : _itemTextDepth;
            }

            // The attributes ExcelDataReader asks for, by their exact (unprefixed) names as XmlReader.GetAttribute matches them.
            scoped ReadOnlySpan<byte> r = default, t = default, formatCode = default;
            bool hasR = false, hasT = false;
            while (true)
            {
                var next = NextAttribute(ref rest, out var attribute, out var value);
                if (next == Attribute.Malformed)
                {
                    return Malformed();
                }

                if (next == Attribute.End)
                {
                    break;
                }

                if (attribute.SequenceEqual("r"u8))
                {
                    r = value;
                    hasR = true;
                }
                else if (attribute.SequenceEqual("t"u8))
                {
                    t = value;
                    hasT = true;
                }
                else if (attribute.SequenceEqual("formatCode"u8))
                {
                    formatCode = value;
                }
            }

            if (kind == NumFmt && Within([StyleSheet, NumFmts]) && Characters(formatCode) > MaxFormatCodeChars)
            {
                return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                    $"The workbook's styles hold a number format longer than {MaxFormatCodeChars:N0} characters, more than a spreadsheet program allows; it is not read."));
            }

            var isAnyCell = kind == Cell;
            long? position = null;
            if ((isAnyCell || kind == Row) && hasR && CheckReference(r, isAnyCell, out position) is { } offGrid)
            {
                return offGrid;
            }

            if (isRow && Place(position) is { } rowProblem)
            {
                return rowProblem;
            }

            if (isCell && PlaceCell(position) is { } cellProblem)
            {
                return cellProblem;
            }

            if (isCell && hasT && t.Contains((byte)'&'))
            {
                // No spreadsheet program escapes a cell's type; an XML reader would read "&#115;" as "s".
                return new FileError(Rules.FileUnreadable, "A cell of the workbook gives its type in escaped characters, which no spreadsheet program writes (it is corrupt); save it again or send CSV.");
            }

            if (isCell)
            {
                (_cellDepth, _sharedCell) = selfClosing ? (0, false) : (_depth, t.SequenceEqual("s"u8));
            }

            if (_sharedCell && isValue && !selfClosing)
            {
                (_inIndex, _index, _indexDigits, _indexValue) = (true, IndexState.Empty, 0, 0);
            }

            // ExcelDataReader would look an inline string's text up as a shared-string index; no program writes one here.
            return _sharedCell && isInline ? NotAnIndex() : null;
        }

        // A row of the sheet's data, numbered as ExcelDataReader numbers it: its r when that is a number (0-based, from
        // CheckReference), else one past the last. Consecutive rows with the same number it merges into one, so their
        // cells are counted together.
        private FileError? Place(long? numbered)
        {
            var row = numbered ?? _nextRow;
            if (row != _runRow)
            {
                (_runRow, _rowBytes) = (row, 0);
                if (_runHighWord >= 0)
                {
                    Array.Clear(_runColumns, _runLowWord, _runHighWord - _runLowWord + 1);
                }

                (_runLowWord, _runHighWord) = (int.MaxValue, -1);
            }

            (_nextRow, _nextColumn) = (row + 1, 0);
            return null;
        }

        // A cell of a sheet row, placed as ExcelDataReader places it: the column of its r when that is letters then
        // digits, else one past the last cell's. Each cell is an object and the row an array to its last column, so the
        // column is held to the grid's width; and a row run puts each cell in its column's slot, the last of two in one
        // column silently replacing the first (a row lost whole when an exporter numbers every row alike), so no column
        // may be taken twice in a run. That also holds the cells in one row to the grid's width. The column of its r comes
        // 0-based from CheckReference, which has refused any r that is not letters then digits.
        private FileError? PlaceCell(long? lettered)
        {
            var column = lettered ?? _nextColumn;
            _nextColumn = column + 1;
            if (column >= GridColumns)
            {
                return OffGrid();
            }

            var word = (int)(column >> 6);
            var bit = 1UL << (int)(column & 63);
            if ((_runColumns[word] & bit) != 0)
            {
                return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                    $"Row {_runRow + 1:N0} of a sheet of the workbook has two cells in the same column (or repeats the row's number, putting its cells over the row before): one would silently replace the other, so the workbook is not read; save it again from the spreadsheet program, or send CSV."));
            }

            _runColumns[word] |= bit;
            (_runLowWord, _runHighWord) = (Math.Min(_runLowWord, word), Math.Max(_runHighWord, word));
            return null;
        }

        // Counts the elements ExcelDataReader keeps a record of per styles part or sheet (number formats, cell formats,
        // merged ranges, column descriptions), read where it reads them, and refuses a list longer than any program writes.
        private FileError? Listed(byte kind)
        {
            var inv = CultureInfo.InvariantCulture;
            if (kind == NumFmt && Within([StyleSheet, NumFmts]) && ++_numberFormats > MaxNumberFormats)
            {
                return TooMany(string.Create(inv, $"The workbook's styles define more than {MaxNumberFormats:N0} number formats, far more than any spreadsheet program writes"));
            }

            if (kind == Xf && (Within([StyleSheet, CellXfs]) ? ++_cellFormats : Within([StyleSheet, CellStyleXfs]) ? ++_cellStyleFormats : 0) > MaxCellFormats)
            {
                return TooMany(string.Create(inv, $"The workbook's styles define more than {MaxCellFormats:N0} cell formats in one list, more than a spreadsheet program allows"));
            }

            if (kind == MergeCell && Within([Worksheet, MergeCells]) && ++_mergedRanges > MaxMergedRanges)
            {
                return TooMany(string.Create(inv, $"A sheet of the workbook merges more than {MaxMergedRanges:N0} ranges of cells, far more than any spreadsheet program writes"));
            }

            if (kind == Col && Within([Worksheet, Cols]) && ++_columnDescriptions > MaxColumnDescriptions)
            {
                return TooMany(string.Create(inv, $"A sheet of the workbook describes more than {MaxColumnDescriptions:N0} columns, more than a spreadsheet can have"));
            }

            return null;

            static FileError TooMany(string what) => new(Rules.FileUnreadable, what + "; it is not read.");
        }

        // The characters an attribute value holds once read: an entity or character reference is one, and so is each UTF-8
        // sequence (its continuation bytes are not counted).
        private static int Characters(ReadOnlySpan<byte> value)
        {
            var count = 0;
            for (var i = 0; i < value.Length; i++)
            {
                if (value[i] == (byte)'&' && value[i..].IndexOf((byte)';') is > 0 and var end)
                {
                    i += end;
                }
                else if ((value[i] & 0xC0) == 0x80)
                {
                    continue;
                }

                count++;
            }

            return count;
        }

        // The XML declaration, only as the part's first tag: <?xml ...?>.
        private static bool IsDeclaration(ReadOnlySpan<byte> tag) =>
            tag.StartsWith("?xml"u8) && tag.Length > 4 && (XmlSpace.Contains(tag[4]) || tag[4] == (byte)'?') && tag[^1] == (byte)'?';

        // What a comment, CDATA section, declaration or processing instruction is called in a message; null for an element.
        private static string? Markup(ReadOnlySpan<byte> tag) =>
            tag.IsEmpty ? null
            : tag.StartsWith("!--"u8) ? "an XML comment"
            : tag.StartsWith("![CDATA["u8) ? "an XML CDATA section"
            : tag[0] == (byte)'!' ? "an XML declaration (such as a DOCTYPE)"
            : tag[0] == (byte)'?' ? "an XML processing instruction"
            : null;

        private static FileError Malformed() =>
            new(Rules.FileUnreadable, "The workbook has an element that is not well-formed XML (it is corrupt); save it again or send CSV.");

        private enum Attribute
        {
            Found,
            End,
            Malformed,
        }

        // The next attribute of a start tag as XML writes it: a name, optional white space, '=', optional white space, and
        // a value in single or double quotes.
        private static Attribute NextAttribute(ref ReadOnlySpan<byte> rest, out ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
        {
            name = default;
            value = default;
            rest = rest.TrimStart(" \t\n\r"u8);
            if (rest.IsEmpty)
            {
                return Attribute.End;
            }

            var stop = rest.IndexOfAny("= \t\n\r\"'"u8);
            if (stop <= 0)
            {
                return Attribute.Malformed;
            }

            name = rest[..stop];
            rest = rest[stop..].TrimStart(" \t\n\r"u8);
            if (rest.IsEmpty || rest[0] != (byte)'=')
            {
                return Attribute.Malformed;
            }

            rest = rest[1..].TrimStart(" \t\n\r"u8);
            if (rest.IsEmpty || rest[0] is not ((byte)'"' or (byte)'\''))
            {
                return Attribute.Malformed;
            }

            var close = rest[1..].IndexOf(rest[0]);
            if (close < 0)
            {
                return Attribute.Malformed;
            }

            value = rest.Slice(1, close);
            rest = rest[(close + 2)..];
            return Attribute.Found;
        }

        // An end tag: the element it closes is no longer open, nor a cell, value or text it was.
        private void Close()
        {
            if (_depth < _itemDepth)
            {
                if (_itemBytes > LongSharedTextBytes)
                {
                    _longTexts[_items] = _itemBytes;
                }

                (_itemDepth, _items) = (0, _items + 1);
            }

            if (_depth < _cellDepth)
            {
                (_cellDepth, _sharedCell) = (0, false);
            }

            _valueDepth = _depth < _valueDepth ? 0 : _valueDepth;
            _itemTextDepth = _depth < _itemTextDepth ? 0 : _itemTextDepth;
        }

        // Reads a run of a shared-string cell's <v> text as it comes: white space, digits, white space.
        private void ReadIndex(ReadOnlySpan<byte> run)
        {
            foreach (var b in run)
            {
                var space = XmlSpace.Contains(b);
                var digit = b is >= (byte)'0' and <= (byte)'9';
                _index = (_index, space, digit) switch
                {
                    (IndexState.NotANumber, _, _) => IndexState.NotANumber,
                    (IndexState.Empty or IndexState.Leading, true, _) => IndexState.Leading,
                    (IndexState.Digits or IndexState.Trailing, true, _) => IndexState.Trailing,
                    (IndexState.Empty or IndexState.Leading or IndexState.Digits, _, true) => IndexState.Digits,
                    _ => IndexState.NotANumber,
                };
                if (_index == IndexState.Digits && ++_indexDigits <= 9)
                {
                    _indexValue = (_indexValue * 10) + (b - '0');
                }
            }
        }

        // The text of a shared-string cell's <v> has ended: it must be an index (its range is checked once all parts are
        // read), or nothing (ExcelDataReader reads an empty value as an empty cell).
        private FileError? EndIndex()
        {
            _inIndex = false;
            if (_index == IndexState.Empty)
            {
                return null;
            }

            if (_index is IndexState.Leading or IndexState.NotANumber || _indexDigits > 9)
            {
                return NotAnIndex();
            }

            HighestReference = Math.Max(HighestReference, _indexValue);
            return (_rowBytes += longSharedTexts.GetValueOrDefault(_indexValue)) > _maxRowBytes ? RowTooLong() : null;
        }

        private static FileError NotAnIndex() => new(Rules.FileUnreadable,
            "A cell of the workbook refers to shared text by something that is not a number (it is corrupt); save it again or send CSV.");

        // An end tag closes an element and a start tag opens one, unless it closes itself. An end tag with nothing open is
        // not XML: the count would go below zero and hide as many opens after it.
        private FileError? Nest(bool end, bool selfClosing)
        {
            if (end)
            {
                return --_depth < 0 ? Malformed() : null;
            }

            if (selfClosing || ++_depth <= MaxDepth)
            {
                return null;
            }

            return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                $"The workbook nests elements more than {MaxDepth:N0} deep, far deeper than any spreadsheet program writes; it is not read."));
        }

        // A row's or cell's r attribute must lie on the grid: ExcelDataReader sizes each row by its last column and
        // produces every row up to the last row number, so one far reference would cost gigabytes or hours. Where
        // ExcelDataReader takes its position from r, that position, 0-based: a row's number when r has digits; a cell's
        // column when r is letters then digits. Otherwise null (it places the row or cell after the one before).
        private static FileError? CheckReference(ReadOnlySpan<byte> value, bool isCell, out long? position)
        {
            position = null;
            long column = 0, row = 0;
            int letters = 0, digits = 0;
            var lettersThenDigits = true;
            foreach (var b in value)
            {
                if (isCell && letters < 4 && b is >= (byte)'A' and <= (byte)'Z' && row == 0)
                {
                    column = (column * 26) + (b - 'A' + 1);
                    letters++;
                    lettersThenDigits &= digits == 0;
                }
                else if (b is >= (byte)'0' and <= (byte)'9' && row <= GridRows)
                {
                    row = (row * 10) + (b - '0');
                    digits++;
                }
                else
                {
                    return OffGrid();
                }
            }

            if (column > GridColumns || row > GridRows)
            {
                return OffGrid();
            }

            position = digits == 0 ? null : !isCell ? row - 1 : letters > 0 && lettersThenDigits ? column - 1 : null;
            return null;
        }

        private static FileError OffGrid() =>
            new(Rules.FileUnreadable, "The workbook refers to a cell beyond the largest sheet a spreadsheet can have (XFD1048576); it is not read.");
    }
}
