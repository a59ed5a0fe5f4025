using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DataHub.Core.Feeds;

namespace DataHub.Core.Validation;

/// <summary>Refuses a row whose stored free text (a reference, a label) carries an identifier the mart would keep as written:
/// an NHS number, a UPN, a postcode, a date (in the forms a date of birth is written) not within three days of one of the row's stored dates,
/// or the row's own name.</summary>
/// <remarks>Every field it reads is stored verbatim, so a partner's NHS number in an incident id would otherwise reach the
/// mart raw. It recognises structured identifiers and the row's own names only, never names in general. It runs on every
/// row, so it works on spans and buffers it owns (one instance per file, one thread): no allocation per row.</remarks>
public sealed partial class FreeTextScreen
{
    /// <summary>Names (and parts of names) shorter than this are not looked for: two letters match too much ordinary text.</summary>
    public const int MinNameLetters = 3;

    private readonly FeedContract contract;
    private readonly int[] screened;
    private readonly int[] storedDates;
    private readonly bool screensDates;
    private readonly int forename = -1, surname = -1;
    private readonly FoldedWords text = new(), forenames = new(), surnames = new(), fullName = new(), fullNameReversed = new();
    private readonly char[] joined = new char[(2 * FieldParser.MaxTextLength) + 1];
    private readonly char[] asRead = new char[FieldParser.MaxTextLength];
    private readonly char[] asSeen = new char[FieldParser.MaxTextLength];

    /// <summary>Finds the contract's stored free-text fields and, in a person-level feed, its stored dates and name fields.</summary>
    public FreeTextScreen(FeedContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        this.contract = contract;
        var fields = contract.Fields;
        screened = [.. Enumerable.Range(0, fields.Count).Where(i => fields[i].Handling == FieldHandling.Stored && fields[i].Type is FieldType.Text or FieldType.Label)];

        // An aggregate feed is about no one: a date in its labels is nobody's date of birth, and it has no names.
        screensDates = contract.PersonLevel;
        storedDates = [.. Enumerable.Range(0, fields.Count).Where(i => fields[i].Handling == FieldHandling.Stored && fields[i].Type == FieldType.Date)];
        for (var i = 0; i < fields.Count; i++)
        {
            forename = fields[i].Identity == IdentityPart.Forename ? i : forename;
            surname = fields[i].Identity == IdentityPart.Surname ? i : surname;
        }
    }

    /// <summary>Checks one row's parsed values (null where absent or invalid), adding one error per field that carries an identifier.</summary>
    public void Check(object?[] values, long line, List<RowError> errors)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(errors);
        var namesFolded = false;
        foreach (var f in screened)
        {
            if (values[f] is not string value)
            {
                continue;
            }

            var read = AsRead(value, out var ascii);
            var found = Find(read, values);
            if (found == Finding.None && !ascii && SkipsInvisible(read, out var seen))
            {
                // Read again as it shows (9434<ZWSP>765919 as 9434765919); after the reading as written, so an invisible
                // character that parts two numbers (1234<ZWSP>9434765919) still parts them there.
                found = Find(seen, values);
            }

            if (found == Finding.None && (forename >= 0 || surname >= 0))
            {
                // Most references have too few letters to hold a name (DA2021-0001234): the names are folded only when needed.
                text.Fold(read);
                if (text.Length >= MinNameLetters && !namesFolded)
                {
                    var first = forename >= 0 ? values[forename] as string : null;
                    var last = surname >= 0 ? values[surname] as string : null;
                    forenames.Fold(first);
                    surnames.Fold(last);
                    var bothLong = forenames.Length >= MinNameLetters && surnames.Length >= MinNameLetters;
                    FoldJoined(fullName, bothLong ? first : null, last);
                    FoldJoined(fullNameReversed, last, bothLong ? first : null);
                    namesFolded = true;
                }

                var hasForename = namesFolded && text.ContainsNameOf(forenames);
                var hasSurname = namesFolded && text.ContainsNameOf(surnames);

                // Both names run together as one word (JANESMITH, SMITHJANE): neither stands alone, the two together do.
                var runTogether = namesFolded && fullName.Length > 0 && (text.ContainsRunTogether(fullName) || text.ContainsRunTogether(fullNameReversed));
                found = contract.Fields[f].Type == FieldType.Label
                    ? ((hasForename && hasSurname) || runTogether ? Finding.Name : Finding.None)
                    : hasSurname ? Finding.Surname : hasForename ? Finding.Forename : runTogether ? Finding.Name : Finding.None;
            }

            if (found != Finding.None)
            {
                var name = contract.Fields[f].Name;
                errors.Add(new RowError(line, name, Rules.TextIdentifier, name + " " + Describe(found)));
            }
        }
    }

    // "{one} {other}" folded, so its whole run together is a name to look for; nothing when either name is missing (or, as
    // the caller passes it, shorter than MinNameLetters: Jo Li's JOLI matches too much).
    private void FoldJoined(FoldedWords into, string? one, string? other)
    {
        if (string.IsNullOrEmpty(one) || string.IsNullOrEmpty(other) || one.Length + 1 + other.Length > joined.Length)
        {
            into.Fold(default);
            return;
        }

        one.CopyTo(joined);
        joined[one.Length] = ' ';
        other.CopyTo(joined.AsSpan(one.Length + 1));
        into.Fold(joined.AsSpan(0, one.Length + 1 + other.Length));
    }

    // The value as it reads: every decimal digit (Unicode Nd: full-width ９, Arabic-Indic ٩, Devanagari ९, mathematical 𝟗)
    // as its ASCII digit, and every full-width letter or mark (U+FF01 to U+FF5E, what a Japanese or Chinese input method types)
    // as its ASCII form, so the patterns below see the number a reader sees. Not string.Normalize: the hub runs with
    // invariant globalization, where Normalize(FormKC) hands full-width ９４３ back unchanged (.NET 10), and compatibility
    // normalisation would leave Arabic-Indic and Devanagari digits as they are anyway. A value with nothing to map (an ASCII
    // one, after one vectorised scan, or one with accented letters only) is returned as it is; the rest are mapped into a
    // buffer the screen owns (a mapped character is never longer than the one it replaces). Says whether the value is all ASCII.
    private ReadOnlySpan<char> AsRead(string value, out bool ascii)
    {
        var first = value.AsSpan().IndexOfAnyExceptInRange('\0', '\u007F');
        ascii = first < 0;
        while (first >= 0 && first < value.Length && !MayReadAsAscii(value[first]))
        {
            first++;
        }

        if (first < 0 || first == value.Length)
        {
            return value;
        }

        var into = value.Length <= asRead.Length ? asRead : new char[value.Length];
        value.AsSpan(0, first).CopyTo(into);
        var length = first;
        var rest = value.AsSpan(first);
        while (!rest.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != OperationStatus.Done)
            {
                into[length++] = rest[0];
                rest = rest[1..];
                continue;
            }

            if (Rune.GetUnicodeCategory(rune) == UnicodeCategory.DecimalDigitNumber)
            {
                into[length++] = (char)('0' + (int)Rune.GetNumericValue(rune));
            }
            else if (rune.Value is >= 0xFF01 and <= 0xFF5E)
            {
                // The Halfwidth and Fullwidth Forms block holds printable ASCII, in order, 0xFEE0 above it.
                into[length++] = (char)(rune.Value - 0xFEE0);
            }
            else
            {
                rest[..consumed].CopyTo(into.AsSpan(length));
                length += consumed;
            }

            rest = rest[consumed..];
        }

        return into.AsSpan(0, length);
    }

    // The value read with every invisible character left out, as it shows: one pasted inside a digit group, a postcode or a
    // date (9434<ZWSP>765919, SW1A 1<WJ>AA), or a run of them beside a separator, more than the three characters a separator
    // may take (943 <ZWSP><ZWSP><ZWSP>476 5919, 03<ZWSP><ZWSP>/<ZWSP><ZWSP>02/85). Read only when the value as written
    // holds nothing, so one that parts two numbers there (1234<ZWSP>9434765919) still does. False when there is none to
    // leave out (the caller does not ask of an ASCII value). Into a buffer the screen owns.
    private bool SkipsInvisible(ReadOnlySpan<char> read, out ReadOnlySpan<char> seen)
    {
        seen = default;
        var first = 0;
        while (first < read.Length && InvisibleAt(read, first) == 0)
        {
            first++;
        }

        if (first == read.Length)
        {
            return false;
        }

        var into = read.Length <= asSeen.Length ? asSeen : new char[read.Length];
        read[..first].CopyTo(into);
        var length = first;
        var i = first;
        while (i < read.Length)
        {
            var width = InvisibleAt(read, i);
            if (width == 0)
            {
                into[length++] = read[i];
                width = 1;
            }

            i += width;
        }

        seen = into.AsSpan(0, length);
        return true;
    }

    // How many characters an invisible one (IsInvisible) takes at the position: 0 for any other, 2 for one beyond the first
    // 65,536 characters (a tag character, a variation selector from U+E0100). None lies below the soft hyphen, U+00AD.
    private static int InvisibleAt(ReadOnlySpan<char> value, int at)
    {
        var c = value[at];
        if (c < '\u00AD')
        {
            return 0;
        }

        if (!char.IsSurrogate(c))
        {
            return IsInvisible(new Rune(c)) ? 1 : 0;
        }

        return Rune.DecodeFromUtf16(value[at..], out var rune, out var consumed) == OperationStatus.Done && IsInvisible(rune) ? consumed : 0;
    }

    // IsInvisible for one character of the first 65,536, for the checks that look at one character at a time (a separator,
    // the blank beside a date's mark); those beyond are left to the second reading, which leaves them out.
    private static bool IsInvisible(char c) => c >= '\u00AD' && !char.IsSurrogate(c) && IsInvisible(new Rune(c));

    /// <summary>True for a character that shows as nothing or as a blank: a format character (Unicode category Cf: a zero-width
    /// space, a soft hyphen, a word joiner, a byte order mark, a tag character) or one of those Unicode files as a mark or a
    /// letter (the combining grapheme joiner, a variation selector, a Khmer or Mongolian invisible, a Hangul filler).</summary>
    internal static bool IsInvisible(Rune rune) =>
        rune.Value is 0x034F or 0x17B4 or 0x17B5 or (>= 0x180B and <= 0x180D) or (>= 0xFE00 and <= 0xFE0F) or (>= 0xE0100 and <= 0xE01EF)
            or 0x115F or 0x1160 or 0x3164 or 0xFFA0
        || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format;

    // A character the mapping above may change: a full-width form, a decimal digit, or half of a pair (mathematical digits
    // lie beyond the first 65,536 characters).
    private static bool MayReadAsAscii(char c) => c is >= '\uFF01' and <= '\uFF5E' || char.IsSurrogate(c) || (c > '\u007F' && char.IsDigit(c));

    private Finding Find(ReadOnlySpan<char> value, object?[] values)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var startsDigits = char.IsAsciiDigit(c) && (i == 0 || !char.IsAsciiDigit(value[i - 1]));
            if (startsDigits && IsNhsNumberAt(value, i))
            {
                return Finding.NhsNumber;
            }

            if (startsDigits && screensDates && IsDateOtherThanStoredAt(value, i, values))
            {
                return Finding.Date;
            }

            if (char.IsAsciiLetter(c) && IsUpnAt(value, i))
            {
                return Finding.Upn;
            }

            if (char.IsAsciiLetter(c) && (i == 0 || !char.IsAsciiLetterOrDigit(value[i - 1])) && Postcode().IsMatch(value[i..]))
            {
                return Finding.Postcode;
            }
        }

        return Finding.None;
    }

    // An NHS number as a word of its own, or written straight after "NHS" (NHS9434765919): ten digits, or the usual groups of
    // 3, 3 and 4 joined by a space, a dash or a full stop (943 476 5919, 943-476-5919, 943.476.5919; IsGroupSeparator), or
    // by up to three of them as a careless hand types them (943 - 476 - 5919, 943  476  5919), the first group perhaps
    // bracketed as a telephone number's code is ((943) 476 5919). Digit groups of other sizes are not joined, nor ten digits
    // after other letters: DA2019-000008 and DA2019000008 are a year and a serial, though their ten digits happen to pass the check.
    private static bool IsNhsNumberAt(ReadOnlySpan<char> value, int start)
    {
        // The digits without their separators: the NHS number field itself takes spaces and hyphens only.
        Span<char> written = stackalloc char[10];
        var end = NhsDigitsEnd(value, start, written);
        if (end < 0 || !(StandsAlone(value, start, end - start) || (AfterLabel(value, start, "NHS") && EndsAlone(value, end))))
        {
            return false;
        }

        Span<char> tenDigits = stackalloc char[10];
        return NhsNumber.Check(written, tenDigits) is null;
    }

    // Where ten digits written together or grouped 3, 3 and 4 from here end, with the digits copied into the ten; -1 when none.
    private static int NhsDigitsEnd(ReadOnlySpan<char> value, int start, Span<char> digits)
    {
        const int maxSeparators = 3;
        if (value.Length - start >= 10 && !value.Slice(start, 10).ContainsAnyExceptInRange('0', '9'))
        {
            value.Slice(start, 10).CopyTo(digits);
            return start + 10;
        }

        var at = start;
        var copied = 0;
        foreach (var size in (ReadOnlySpan<int>)[3, 3, 4])
        {
            if (value.Length - at < size || value.Slice(at, size).ContainsAnyExceptInRange('0', '9'))
            {
                return -1;
            }

            value.Slice(at, size).CopyTo(digits[copied..]);
            copied += size;
            at += size;
            if (copied == 10)
            {
                return at;
            }

            // The bracket closing a first group is no separator: (943)   476 5919 has three, as 943   476 5919 has.
            var bracketed = copied == 3 && start > 0 && value[start - 1] == '(' && at < value.Length && value[at] == ')';
            at += bracketed ? 1 : 0;
            var separators = at;
            while (at < value.Length && at - separators < maxSeparators && IsGroupSeparator(value[at]))
            {
                at++;
            }

            if (at == separators && !bracketed)
            {
                return -1;
            }
        }

        return -1;
    }

    // A UPN standing as a word of its own, or written straight after "UPN": 13 letters and digits, not part of a longer run of them.
    private static bool IsUpnAt(ReadOnlySpan<char> value, int start)
    {
        const int length = 13;
        if (start + length > value.Length || !(StandsAlone(value, start, length) || (AfterLabel(value, start, "UPN") && EndsAlone(value, start + length))))
        {
            return false;
        }

        Span<char> upn = stackalloc char[length];
        return Upn.Check(value.Slice(start, length), upn) is null;
    }

    // Not part of a longer run of letters and digits.
    private static bool StandsAlone(ReadOnlySpan<char> value, int start, int length) =>
        (start == 0 || !char.IsAsciiLetterOrDigit(value[start - 1])) && EndsAlone(value, start + length);

    private static bool EndsAlone(ReadOnlySpan<char> value, int end) => end == value.Length || !char.IsAsciiLetterOrDigit(value[end]);

    // The identifier's own name written straight before it, as a word of its own (NHS9434765919, ref UPNB801200005001).
    private static bool AfterLabel(ReadOnlySpan<char> value, int start, string label) =>
        start >= label.Length && value.Slice(start - label.Length, label.Length).Equals(label, StringComparison.OrdinalIgnoreCase)
        && (start == label.Length || !char.IsAsciiLetterOrDigit(value[start - label.Length - 1]));

    // What reads as a space, a hyphen, a full stop or nothing, not only U+0020 and '-': a copy from a web page, Word or a
    // spreadsheet's number format puts a no-break or thin space, a no-break hyphen or an en dash (any dash, or the minus
    // sign), a middle dot, a tab, or an invisible character (a zero-width space, a soft hyphen, a combining grapheme joiner, a
    // Hangul filler: IsInvisible) between the groups, and
    // the number reads the same. Not every punctuation mark: a slash or an underscore joins a reference's parts (DOM/12345/21).
    private static bool IsGroupSeparator(char c) => c is '.' or '\u2212' || char.IsWhiteSpace(c) || IsMiddleDot(c)
        || char.GetUnicodeCategory(c) == UnicodeCategory.DashPunctuation || IsInvisible(c);

    // A dot in the middle of the line, which reads as a full stop between digits (943·476·5919).
    private static bool IsMiddleDot(char c) => c is '\u00b7' or '\u2027' or '\u2219' or '\u22c5' or '\u30fb' or '\uff65';

    // How far either side of a stored date a date in free text is still taken for it: a police log is often dated the day
    // after the incident it records ("Log 0452 of 02/06/17" for 1 June), a case note a day or two later. A date of birth is
    // almost never so close to the row's own dates, and the mart already holds the date it is near.
    private const int DaysAroundStoredDate = 3;

    // A date starting here, in a form a date of birth is written, none of whose readings is within DaysAroundStoredDate of
    // one of the row's stored dates.
    private bool IsDateOtherThanStoredAt(ReadOnlySpan<char> value, int start, object?[] values)
    {
        if (NumbersAt(value, start) is not { } n)
        {
            return false;
        }

        if (n.FirstDigits == 4)
        {
            // Year first, two digits each after it (1985-02-03): a year and two small serials (DA2019-1-12) are a reference.
            return n.SecondDigits == 2 && n.ThirdDigits == 2 && IsRealDate(n.First, n.Second, n.Third, twoDigitYear: false)
                && !IsNearStoredDate(values, n.First, twoDigitYear: false, n.Second, n.Third);
        }

        // Month first, as a US date is written with a slash or a hyphen (12/25/2010, 2-29-2012): read where the day-first
        // reading is no date as well (a day over 12); not with full stops, which no US date has and a time does (12.25.10).
        // With a two-digit year only when month and day have two digits each (12/25/10, 02/13/85), as a system writes a
        // date: 3/15/20, SEC 47 2/14/19 and KS2 4-15-20 are as often a section, a key stage or a score.
        var monthFirstMark = n.Mark != '.';
        if (n.ThirdDigits == 4)
        {
            // Day first (03/02/1985) or month first (12/25/2010); a US-written stored date (06/01/2017 for 1 June) is the row's own too.
            return (IsRealDate(n.Third, n.Second, n.First, twoDigitYear: false) || (monthFirstMark && IsRealDate(n.Third, n.First, n.Second, twoDigitYear: false)))
                && !IsNearStoredDate(values, n.Third, twoDigitYear: false, n.Second, n.First)
                && !IsNearStoredDate(values, n.Third, twoDigitYear: false, n.First, n.Second);
        }

        // A link in a chain of more than three numbers (10.1.12.5, REF 10/1/23/19) is no date, with a two-digit year only: a
        // four-digit year is a date whatever follows it (03/02/1985/1, 1986-02-03-4), read above.
        if (n.ThirdDigits != 2 || IsInChain(value, start, n))
        {
            return false;
        }

        // A two-digit year: read day first (03/07/14), month first with two digits each (12/25/10), or year first when the first number is no day
        // (85-02-03); with full stops only as a date of birth is typed, two digits each (03.07.14) or a day or month written
        // with a leading zero (3.02.85, 03.2.85), as a version is not (1.2.10, 2.1.15).
        var allTwoDigits = n.FirstDigits == 2 && n.SecondDigits == 2;
        var zeroPadded = (n.FirstDigits == 2 && n.First < 10) || (n.SecondDigits == 2 && n.Second < 10);
        var dayFirst = (n.Mark != '.' || allTwoDigits || zeroPadded) && IsRealDate(n.Third, n.Second, n.First, twoDigitYear: true);
        var monthFirst = monthFirstMark && allTwoDigits && IsRealDate(n.Third, n.First, n.Second, twoDigitYear: true);
        var yearFirst = n.First > 31 && allTwoDigits && IsRealDate(n.First, n.Second, n.Third, twoDigitYear: true);

        // The row's own date passes in any of the three orders it may be written: 01/06/17, 17/06/01, 06/01/17. Year first
        // only with two digits each, and month first only where it is a reading (two digits each, not with full stops):
        // 6/1/17 and 06.01.17 are 6 January 2017, not 1 June.
        return (dayFirst || monthFirst || yearFirst)
            && !IsNearStoredDate(values, n.Third, twoDigitYear: true, n.Second, n.First)
            && !(allTwoDigits && IsNearStoredDate(values, n.First, twoDigitYear: true, n.Second, n.Third))
            && !(monthFirstMark && allTwoDigits && IsNearStoredDate(values, n.Third, twoDigitYear: true, n.First, n.Second));
    }

    // Three numbers starting here, of one or two digits, the first or the last perhaps of four, joined by one date mark
    // throughout (a slash, a hyphen or dash, a full stop), each perhaps with white space or an invisible character beside it
    // (03 / 02 / 85, a zero-width space from Word), and not followed by another digit; none straight after a lone v (v10.02.15,
    // a version).
    private static WrittenNumbers? NumbersAt(ReadOnlySpan<char> value, int start)
    {
        if (start > 0 && value[start - 1] is 'v' or 'V' && (start == 1 || !char.IsAsciiLetterOrDigit(value[start - 2])))
        {
            return null;
        }

        var at = start;
        var firstDigits = DigitsAt(value, ref at, out var first);
        if (firstDigits is not (1 or 2 or 4) || !DateMarkAt(value, ref at, out var mark))
        {
            return null;
        }

        var secondDigits = DigitsAt(value, ref at, out var second);
        if (secondDigits is not (1 or 2) || !DateMarkAt(value, ref at, out var again) || again != mark)
        {
            return null;
        }

        var thirdDigits = DigitsAt(value, ref at, out var third);
        return thirdDigits is 1 or 2 or 4 ? new(first, firstDigits, second, secondDigits, third, thirdDigits, mark, at) : null;
    }

    // How many ASCII digits run from the position (up to five: more is no part of a date), moving past them, and their number.
    private static int DigitsAt(ReadOnlySpan<char> value, ref int at, out int number)
    {
        number = 0;
        var start = at;
        while (at < value.Length && at - start < 5 && char.IsAsciiDigit(value[at]))
        {
            number = (number * 10) + (value[at++] - '0');
        }

        return at - start;
    }

    // One date mark at the position, perhaps with white space or invisible characters beside it, three characters at most,
    // moving past them; the mark as its ASCII form.
    private static bool DateMarkAt(ReadOnlySpan<char> value, ref int at, out char mark)
    {
        mark = '\0';
        var start = at;
        while (at < value.Length && at - start < 3)
        {
            var c = value[at];
            var read = AsDateMark(c);
            if (read != '\0' && mark == '\0')
            {
                mark = read;
            }
            else if (read != '\0' || !IsBlank(c))
            {
                break;
            }

            at++;
        }

        return mark != '\0';
    }

    // A slash, a full stop or a hyphen as it reads: a division or fraction slash as a slash, a middle dot as a full stop, any
    // dash (an en dash from Word's autocorrect, a no-break hyphen, the minus sign) as a hyphen; '\0' for anything else.
    private static char AsDateMark(char c) => c switch
    {
        '/' or '\u2044' or '\u2215' => '/',
        '.' => '.',
        '-' or '\u2212' => '-',
        < '\u0080' => '\0',
        _ when IsMiddleDot(c) => '.',
        _ => char.GetUnicodeCategory(c) == UnicodeCategory.DashPunctuation ? '-' : '\0',
    };

    // White space of any kind, or an invisible character (a zero-width space, a soft hyphen, a variation selector: IsInvisible).
    private static bool IsBlank(char c) => char.IsWhiteSpace(c) || IsInvisible(c);

    // Part of a chain of more than three numbers joined by the same mark (10.1.12.5, 5.10.1.12): a version, an address or a
    // reference's parts, not a date. A link is the bare mark with a digit right beside it, no blank: a sentence's full stop,
    // a space and a number (03.02.86. 2 siblings) end the date, they do not chain it.
    private static bool IsInChain(ReadOnlySpan<char> value, int start, WrittenNumbers numbers)
    {
        var end = numbers.End;
        return (end + 1 < value.Length && AsDateMark(value[end]) == numbers.Mark && char.IsAsciiDigit(value[end + 1]))
            || (start >= 2 && AsDateMark(value[start - 1]) == numbers.Mark && char.IsAsciiDigit(value[start - 2]));
    }

    // A day that exists: in 1900-2099, or with a two-digit year in 19yy or 20yy (29/02/00 is one, 29/02/01 is not).
    private static bool IsRealDate(int year, int month, int day, bool twoDigitYear) =>
        month is >= 1 and <= 12 && day >= 1 && (twoDigitYear
            ? day <= Math.Max(DateTime.DaysInMonth(1900 + year, month), DateTime.DaysInMonth(2000 + year, month))
            : year is >= DateText.MinYear and <= DateText.MaxYear && day <= DateTime.DaysInMonth(year, month));

    // A date the mart already stores for this row, or within DaysAroundStoredDate of one (an incident date in a police log
    // reference, the log dated the next day), tells nothing new. A two-digit year is taken in the century nearest the stored date.
    private bool IsNearStoredDate(object?[] values, int year, bool twoDigitYear, int month, int day)
    {
        if (month is < 1 or > 12 || day < 1)
        {
            return false;
        }

        foreach (var d in storedDates)
        {
            if (values[d] is not DateOnly stored)
            {
                continue;
            }

            var y = year;
            if (twoDigitYear)
            {
                y += stored.Year - (stored.Year % 100);
                y += y - stored.Year > 50 ? -100 : stored.Year - y > 50 ? 100 : 0;
            }

            if (y is >= 1 and <= 9999 && day <= DateTime.DaysInMonth(y, month)
                && Math.Abs(new DateOnly(y, month, day).DayNumber - stored.DayNumber) <= DaysAroundStoredDate)
            {
                return true;
            }
        }

        return false;
    }

    private static string Describe(Finding found) => found switch
    {
        Finding.NhsNumber => "holds what reads as an NHS number (ten digits passing its check); send identifiers only in their own columns.",
        Finding.Upn => "holds what reads as a UPN (passing its check letter); send identifiers only in their own columns.",
        Finding.Postcode => "holds what reads as a postcode, which may be where someone lives; leave addresses out of free text.",
        Finding.Date => "holds a date that is not one of the row's own dates, which may be a date of birth; leave dates out of free text.",
        Finding.Surname => "holds the row's own surname; leave names out of free text.",
        Finding.Forename => "holds the row's own forename; leave names out of free text.",
        _ => "holds the row's own forename and surname; leave names out of free text.",
    };

    // A UK postcode as a word of its own, spaced or not (SW1A 1AA, M1 1AE, b338th): the outward code, then the inward,
    // spaced by any white space (a no-break or thin space, a tab as well), an invisible character (IsInvisible: a zero-width
    // space, a combining grapheme joiner, a Hangul filler; one beyond U+FFFF is left to the second reading) or a
    // dash (SW1A-1AA), up to three of them (SW1A  1AA typed with two spaces, M1 - 1AE).
    [GeneratedRegex("^[A-Za-z]{1,2}[0-9][A-Za-z0-9]?[\\s\\p{Cf}\\p{Pd}\\u2212\\u034F\\u115F\\u1160\\u17B4\\u17B5\\u180B-\\u180D\\u3164\\uFE00-\\uFE0F\\uFFA0]{0,3}[0-9][A-Za-z]{2}(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    private static partial Regex Postcode();

    // Three numbers as written: each with how many digits it had, the one mark between them (as its ASCII form), and where they end.
    private readonly record struct WrittenNumbers(int First, int FirstDigits, int Second, int SecondDigits, int Third, int ThirdDigits, char Mark, int End);

    private enum Finding
    {
        None,
        NhsNumber,
        Upn,
        Postcode,
        Date,
        Surname,
        Forename,
        Name,
    }
}
