using System.Buffers;
using System.Globalization;
using System.IO.Compression;
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

    /// <summary>The characters XML counts as white space: a value of only these is no value.</summary>
    private static readonly SearchValues<byte> XmlSpace = SearchValues.Create(" \t\n\r"u8);

    /// <summary>The first limit <paramref name="workbook"/> passes, or the first way it would be misread, or null when it is
    /// within every one (read from the start; left open).</summary>
    public static FileError? Check(Stream workbook, ReadLimits limits)
    {
        using var zip = new ZipArchive(workbook, ZipArchiveMode.Read, leaveOpen: true);
        long total = 0;
        var buffer = new byte[1 << 16];
        var strings = new SharedStringCount();
        var holdsData = new Dictionary<ZipArchiveEntry, bool>();
        foreach (var entry in zip.Entries)
        {
            if (!entry.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) && !entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase))
            {
                continue; // Images and the like: ExcelDataReader never inflates them.
            }

            if (Scan(entry) is { } problem)
            {
                return problem;
            }
        }

        // Read once every part is within the limits. A sheet's part may have any name: ExcelDataReader reads it all the same.
        var sheets = WorkbookSheets.Read(zip);
        foreach (var sheet in sheets)
        {
            if (sheet.Part is { } part && !holdsData.ContainsKey(part) && Scan(part) is { } problem)
            {
                return problem;
            }
        }

        // Checked once every part is read: the shared strings may come before or after the sheets in the zip.
        if (strings.HighestReference >= strings.Items)
        {
            return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                $"A cell of the workbook refers to shared text {strings.HighestReference:N0}, but the workbook holds {strings.Items:N0} (it is corrupt); save it again or send CSV."));
        }

        return DataBesidesTheFirstSheet(sheets, holdsData);

        FileError? Scan(ZipArchiveEntry entry)
        {
            var shared = entry.FullName.EndsWith("sharedStrings.xml", StringComparison.OrdinalIgnoreCase);
            var partLimit = shared ? Math.Min(limits.MaxSharedStringsBytes, limits.MaxWorkbookBytes) : limits.MaxWorkbookBytes;
            if (entry.Length > partLimit || total + entry.Length > limits.MaxWorkbookBytes)
            {
                return TooLarge(limits, shared);
            }

            var scan = new PartScan(limits, strings, shared);
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

    /// <summary>The shared strings the workbook holds, and the highest one its cells refer to.</summary>
    private sealed class SharedStringCount
    {
        public long Items { get; set; }

        public long HighestReference { get; set; } = -1;
    }

    private static FileError TooLarge(ReadLimits limits, bool shared) => new(Rules.FileDecompressedTooLarge, shared
        ? string.Create(CultureInfo.InvariantCulture, $"The workbook's text inflates to more than {limits.MaxSharedStringsBytes >> 20:N0} MB; send the extract as CSV or in parts.")
        : string.Create(CultureInfo.InvariantCulture, $"The workbook inflates to more than {limits.MaxWorkbookBytes >> 20:N0} MB (a compressed file that expands without bound is refused); send the extract as CSV or in parts."));

    /// <summary>Walks one XML part's bytes as they inflate: text runs between tags, and tags with their quoted attributes.</summary>
    private sealed class PartScan(ReadLimits limits, SharedStringCount strings, bool sharedStrings)
    {
        // A shared-string index is a few digits; anything longer is not one ExcelDataReader can look up.
        private readonly byte[] _index = new byte[16];
        // Escaped UTF-8 takes at most 6 bytes a character ("&quot;"), so this many bytes may hold a cell within the limit.
        private readonly long _maxTextBytes = (long)limits.MaxCellChars * 6;
        private readonly byte[] _tag = new byte[MaxTagBytes];
        private int _tagLength;
        private bool _inTag;
        private byte _quote;
        private long _text;
        private int _depth;
        private bool _sharedCell;
        private bool _inIndex;
        private int _indexLength;
        private bool _inCell;
        private bool _inValue;

        /// <summary>True once a cell (<c>c</c>) has shown a value: text in its <c>v</c>, or in an inline string's <c>t</c>.</summary>
        public bool HoldsData { get; private set; }

        public FileError? Feed(ReadOnlySpan<byte> bytes)
        {
            while (!bytes.IsEmpty)
            {
                if (!_inTag)
                {
                    var open = bytes.IndexOf((byte)'<');
                    var run = open < 0 ? bytes : bytes[..open];
                    _text += run.Length;
                    if (_inValue && run.ContainsAnyExcept(XmlSpace))
                    {
                        HoldsData = true;
                    }

                    if (_inIndex)
                    {
                        if (_indexLength + run.Length <= _index.Length)
                        {
                            run.CopyTo(_index.AsSpan(_indexLength));
                        }

                        _indexLength += run.Length;
                        if (open >= 0 && EndIndex() is { } badIndex)
                        {
                            return badIndex;
                        }
                    }

                    if (_text > _maxTextBytes)
                    {
                        return new FileError(Rules.FileCellTooLarge, string.Create(CultureInfo.InvariantCulture,
                            $"A cell of the workbook holds more than {limits.MaxCellChars:N0} characters (the most a spreadsheet cell can hold)."));
                    }

                    if (open < 0)
                    {
                        return null;
                    }

                    (_inTag, _tagLength, _text) = (true, 0, 0);
                    bytes = bytes[(open + 1)..];
                    continue;
                }

                // Inside a tag: '>' ends it unless quoted (an attribute value may hold '>').
                var stop = _quote == 0 ? bytes.IndexOfAny((byte)'>', (byte)'"', (byte)'\'') : bytes.IndexOf(_quote);
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
                    var tag = _tag.AsSpan(0, _tagLength - 1);
                    if (Nest(tag) is { } tooDeep)
                    {
                        return tooDeep;
                    }

                    if (CheckReference(tag) is { } problem)
                    {
                        return problem;
                    }

                    TrackCells(tag);
                }
            }

            return null;
        }

        // Counts the shared strings (<si>); notes when a cell (<c>) starts its value (<v>, or an inline string's <t>), and
        // when a shared-string cell (<c t="s">) starts its index.
        private void TrackCells(ReadOnlySpan<byte> tag)
        {
            if (tag.IsEmpty || tag[0] == (byte)'?')
            {
                return;
            }

            if (tag[0] == (byte)'!')
            {
                // No spreadsheet program writes CDATA, but an XML reader reads it as the value's text.
                if (_inValue && tag.StartsWith("![CDATA["u8) && tag[8..].ContainsAnyExcept("] \t\n\r"u8))
                {
                    HoldsData = true;
                }

                return;
            }

            var end = tag[0] == (byte)'/';
            var opens = !end && tag[^1] != (byte)'/';
            var name = end ? tag[1..] : tag;
            var nameEnd = name.IndexOfAny(" \t\n\r/"u8);
            name = nameEnd < 0 ? name : name[..nameEnd];
            var colon = name.IndexOf((byte)':');
            name = colon >= 0 ? name[(colon + 1)..] : name;
            if (sharedStrings)
            {
                if (!end && name.SequenceEqual("si"u8))
                {
                    strings.Items++;
                }

                return;
            }

            if (name.SequenceEqual("c"u8))
            {
                _inCell = opens;
                _inValue = false;
                _sharedCell = opens && (tag.IndexOf(" t=\"s\""u8) >= 0 || tag.IndexOf(" t='s'"u8) >= 0);
            }
            else if (name.SequenceEqual("v"u8) || name.SequenceEqual("t"u8))
            {
                _inValue = _inCell && opens;
                if (_sharedCell && opens && name.SequenceEqual("v"u8))
                {
                    (_inIndex, _indexLength) = (true, 0);
                }
            }
        }

        // The text of a shared-string cell's <v> has ended: it must be an index (its range is checked once all parts are read).
        private FileError? EndIndex()
        {
            _inIndex = false;
            var text = _indexLength <= _index.Length ? _index.AsSpan(0, _indexLength).Trim(" \t\n\r"u8) : [];
            if (text.IsEmpty || text.Length > 9 || text.ContainsAnyExceptInRange((byte)'0', (byte)'9'))
            {
                return new FileError(Rules.FileUnreadable,
                    "A cell of the workbook refers to shared text by something that is not a number (it is corrupt); save it again or send CSV.");
            }

            long index = 0;
            foreach (var b in text)
            {
                index = (index * 10) + (b - '0');
            }

            strings.HighestReference = Math.Max(strings.HighestReference, index);
            return null;
        }

        // An end tag closes an element and a start tag opens one, unless it closes itself; declarations, comments and
        // processing instructions open nothing.
        private FileError? Nest(ReadOnlySpan<byte> tag)
        {
            if (tag.IsEmpty || tag[0] is (byte)'?' or (byte)'!')
            {
                return null;
            }

            if (tag[0] == (byte)'/')
            {
                _depth--;
                return null;
            }

            if (tag[^1] == (byte)'/' || ++_depth <= MaxDepth)
            {
                return null;
            }

            return new FileError(Rules.FileUnreadable, string.Create(CultureInfo.InvariantCulture,
                $"The workbook nests elements more than {MaxDepth:N0} deep, far deeper than any spreadsheet program writes; it is not read."));
        }

        // A row's or cell's r attribute must lie on the grid: ExcelDataReader sizes each row by its last column and
        // produces every row up to the last row number, so one far reference would cost gigabytes or hours.
        private static FileError? CheckReference(ReadOnlySpan<byte> tag)
        {
            var nameEnd = tag.IndexOfAny(" \t\n\r"u8);
            if (nameEnd < 0)
            {
                return null;
            }

            var name = tag[..nameEnd];
            var colon = name.IndexOf((byte)':');
            name = colon >= 0 ? name[(colon + 1)..] : name;
            var isCell = name.SequenceEqual("c"u8);
            if (!isCell && !name.SequenceEqual("row"u8))
            {
                return null;
            }

            var r = tag.IndexOf(" r="u8);
            if (r < 0 || r + 4 > tag.Length || tag[r + 3] is not ((byte)'"' or (byte)'\''))
            {
                return null;
            }

            var value = tag[(r + 4)..];
            value = value[..Math.Max(0, value.IndexOf(tag[r + 3]))];
            long column = 0, row = 0;
            var letters = 0;
            foreach (var b in value)
            {
                if (isCell && letters < 4 && b is >= (byte)'A' and <= (byte)'Z' && row == 0)
                {
                    column = (column * 26) + (b - 'A' + 1);
                    letters++;
                }
                else if (b is >= (byte)'0' and <= (byte)'9' && row <= GridRows)
                {
                    row = (row * 10) + (b - '0');
                }
                else
                {
                    return OffGrid();
                }
            }

            return column > GridColumns || row > GridRows ? OffGrid() : null;
        }

        private static FileError OffGrid() =>
            new(Rules.FileUnreadable, "The workbook refers to a cell beyond the largest sheet a spreadsheet can have (XFD1048576); it is not read.");
    }
}
