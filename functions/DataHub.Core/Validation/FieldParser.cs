using System.Globalization;
using DataHub.Core.Feeds;

namespace DataHub.Core.Validation;

/// <summary>Parses one feed's cells into typed values by the contract's field types, ranges and code lists.</summary>
/// <remarks>One instance per file.</remarks>
public sealed class FieldParser
{
    /// <summary>The longest text value accepted; anything longer is a broken extract, not data.</summary>
    public const int MaxTextLength = 500;

    private static readonly object BoxedTrue = true;
    private static readonly object BoxedFalse = false;
    private static readonly object[] SmallInts = Enumerable.Range(0, 1024).Select(i => (object)i).ToArray();

    private readonly FeedContract contract;
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>>?[] codes;

    /// <summary>Prepares the code lists of a contract.</summary>
    public FieldParser(FeedContract contract)
    {
        ArgumentNullException.ThrowIfNull(contract);
        this.contract = contract;
        codes = new Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>>?[contract.Fields.Count];
        for (var i = 0; i < contract.Fields.Count; i++)
        {
            if (contract.Fields[i].AllowedValues is { } allowed)
            {
                var lookup = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var code in allowed)
                {
                    lookup[HeaderMatcher.Normalise(code)] = code;
                }

                codes[i] = lookup.GetAlternateLookup<ReadOnlySpan<char>>();
            }
        }
    }

    /// <summary>
    /// Parses a text cell of field <paramref name="index"/>; null on success, else the problem: the field, the rule and what
    /// was expected, never the cell's value (a shifted column puts a name or a date of birth where a code was expected).
    /// </summary>
    public FieldProblem? Parse(int index, ReadOnlySpan<char> text, out object? value)
    {
        value = null;
        var field = contract.Fields[index];
        var s = text.Trim();
        if (s.IsEmpty)
        {
            return field.Required ? Problem(field, Rules.ValueRequired, "is required but empty.") : null;
        }

        // A NUL is binary, not text (a CSV's first bytes are sniffed for it, not the rest; a workbook escapes it as "_x0000_"):
        // stored or pseudonymised as written, it would make a value no other delivery of the same text matches.
        if (s.Contains('\0'))
        {
            return Problem(field, Rules.EncodingInvalid, "holds a NUL character (binary data, not text); export the file again.");
        }

        // Half a surrogate pair (a workbook's "_xD800_" escape) is no character: no mart could store it.
        if (s.ContainsAnyInRange('\uD800', '\uDFFF') && !IsWholeCharacters(s))
        {
            return Problem(field, Rules.EncodingInvalid, "holds half of a character (an unpaired surrogate); save the file again as CSV UTF-8 or XLSX.");
        }

        switch (field.Identity)
        {
            case IdentityPart.NhsNumber:
                return Identifier(field, NhsNumber.Check(s, out var nhs), nhs, out value);
            case IdentityPart.Upn:
                return Identifier(field, Upn.Check(s, out var upn), upn, out value);
            case IdentityPart.ForenameInitial or IdentityPart.SurnameInitial:
                return s.Length == 1 && char.IsLetter(s[0])
                    ? Ok(s.ToString().ToUpperInvariant(), out value)
                    : Problem(field, Rules.InitialFormat, "must be a single letter.");
            default:
                break;
        }

        switch (field.Type)
        {
            case FieldType.Date:
                // Boxed afresh per cell, not shared per calendar day: a shared box lies far from the row's other values, and
                // each later reader of the row (tokens, mart writer) missed the cache on it.
                return DateText.Parse(s, out var date) is { } dateRule ? DateProblem(field, dateRule) : Ok(date, out value);
            case FieldType.Integer:
                return ParseInteger(field, s, out value);
            case FieldType.Boolean:
                return ParseBoolean(s) is { } flag
                    ? Ok(flag ? BoxedTrue : BoxedFalse, out value)
                    : Problem(field, Rules.BooleanFormat, "must be Y/N, Yes/No, true/false or 1/0.");
            case FieldType.Code:
            case FieldType.Label when codes[index] is not null:
                return ParseListed(index, field, s, out value);
            default:
                return s.Length > MaxTextLength
                    ? Problem(field, Rules.TextLength, string.Create(CultureInfo.InvariantCulture, $"is longer than {MaxTextLength} characters."))
                    : Ok(s.ToString(), out value);
        }
    }

    /// <summary>Parses a typed spreadsheet cell (string, DateTime, double, bool or null) of field <paramref name="index"/>.</summary>
    public FieldProblem? ParseCell(int index, object? cell, out object? value)
    {
        var field = contract.Fields[index];
        switch (cell)
        {
            case DateTime dateTime when field.Type == FieldType.Date:
                var date = DateOnly.FromDateTime(dateTime);
                value = null;
                return date.Year is < DateText.MinYear or > DateText.MaxYear ? DateProblem(field, Rules.DateRange) : Ok(date, out value);
            case double number when field.Type == FieldType.Integer:
                value = null;
                return number != Math.Floor(number) || number is < int.MinValue or > int.MaxValue
                    ? Problem(field, Rules.IntegerFormat, "must be a whole number.")
                    : CheckRange(field, (int)number, out value);
            case bool flag when field.Type == FieldType.Boolean:
                return Ok(flag ? BoxedTrue : BoxedFalse, out value);
            default:
                return Parse(index, CellText(cell), out value);
        }
    }

    /// <summary>A spreadsheet cell as the text a CSV would carry: dates ISO, whole numbers without decimals, invariant culture.</summary>
    public static string CellText(object? cell) => cell switch
    {
        null => string.Empty,
        string s => s,
        DateTime d when d.TimeOfDay == TimeSpan.Zero => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        double d when d == Math.Floor(d) && Math.Abs(d) < 1e15 => d.ToString("0", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? string.Empty,
    };

    /// <summary>Parses Y/N, Yes/No, true/false, 1/0 (any case); null when it is none of them.</summary>
    public static bool? ParseBoolean(ReadOnlySpan<char> text)
    {
        var s = text.Trim();
        if (s.IsEmpty)
        {
            return null;
        }

        // Dispatch on the first character: this runs for millions of cells.
        return (s[0] | 0x20) switch
        {
            'y' when s.Length == 1 || s.Equals("Yes", StringComparison.OrdinalIgnoreCase) => true,
            't' when s.Equals("true", StringComparison.OrdinalIgnoreCase) => true,
            '1' when s.Length == 1 => true,
            'n' when s.Length == 1 || s.Equals("No", StringComparison.OrdinalIgnoreCase) => false,
            'f' when s.Equals("false", StringComparison.OrdinalIgnoreCase) => false,
            '0' when s.Length == 1 => false,
            _ => null,
        };
    }

    private FieldProblem? ParseInteger(FieldSpec field, ReadOnlySpan<char> s, out object? value)
    {
        value = null;
        if (!int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return Problem(field, Rules.IntegerFormat, "must be a whole number.");
        }

        return CheckRange(field, number, out value);
    }

    private static bool IsWholeCharacters(ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(text, out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            text = text[used..];
        }

        return true;
    }

    private static FieldProblem? CheckRange(FieldSpec field, int number, out object? value)
    {
        value = null;
        if ((field.Minimum is { } min && number < min) || (field.Maximum is { } max && number > max))
        {
            var range = (field.Minimum, field.Maximum) switch
            {
                ({ } lo, { } hi) => string.Create(CultureInfo.InvariantCulture, $"between {lo} and {hi}"),
                ({ } lo, null) => string.Create(CultureInfo.InvariantCulture, $"at least {lo}"),
                (null, { } hi) => string.Create(CultureInfo.InvariantCulture, $"at most {hi}"),
                _ => string.Empty,
            };
            return Problem(field, Rules.IntegerRange, "must be " + range + ".");
        }

        value = number is >= 0 and < 1024 ? SmallInts[number] : number;
        return null;
    }

    // A code, or the one Label with a list: health-aggregates' cohort (FeedCatalog.WithCohorts), whose label no cohort has
    // would be stored and then used by no KPI, so it is refused under its own rule. Labels are the hub's own cohort names,
    // never identifiers: listed in full.
    private FieldProblem? ParseListed(int index, FieldSpec field, ReadOnlySpan<char> s, out object? value)
    {
        if (Listed(index, s) is { } listed)
        {
            value = listed;
            return null;
        }

        value = null;
        var allowed = field.AllowedValues ?? [];
        if (field.Type == FieldType.Label)
        {
            return Problem(field, Rules.CohortUnknown, "must be the label of one of the cohorts the hub reports: "
                + string.Join(", ", allowed) + " (the labels the local authority sent with the cohort list).");
        }

        var list = allowed.Count <= 25 ? string.Join(", ", allowed) : "the codes in the feed's reference list";
        return Problem(field, Rules.CodeUnknown, "must be one of " + list + ".");
    }

    // The listed value a cell names, compared as headers are (case, spaces, hyphens and underscores ignored); null when none.
    private string? Listed(int index, ReadOnlySpan<char> s)
    {
        Span<char> key = stackalloc char[Math.Min(s.Length, 128)];
        var length = 0;
        foreach (var c in s)
        {
            if (HeaderMatcher.IsSeparator(c))
            {
                continue;
            }

            if (length == key.Length)
            {
                length = -1;
                break;
            }

            key[length++] = char.ToLowerInvariant(c);
        }

        return length >= 0 && codes[index] is { } lookup && lookup.TryGetValue(key[..length], out var code) ? code : null;
    }

    private static FieldProblem? Identifier(FieldSpec field, string? rule, string? normalised, out object? value)
    {
        value = rule is null ? normalised : null;
        return rule switch
        {
            null => null,
            Rules.NhsFormat => Problem(field, rule, "must be 10 digits (spaces and hyphens allowed) and not a placeholder such as 0000000000."),
            Rules.NhsCheckDigit => Problem(field, rule, "fails the NHS number modulus 11 check digit."),
            Rules.UpnFormat => Problem(field, rule, "must be 13 characters: a check letter, 11 digits, then a digit or letter."),
            _ => Problem(field, rule, "has the wrong check letter for its digits."),
        };
    }

    private static FieldProblem DateProblem(FieldSpec field, string rule) => Problem(field, rule, rule switch
    {
        Rules.DateImpossible => "is not a real calendar date (check the day and month).",
        Rules.DateExcelSerial => "holds a number such as an Excel date serial; send the date as yyyy-mm-dd or dd/mm/yyyy.",
        Rules.DateRange => string.Create(CultureInfo.InvariantCulture, $"has a year outside {DateText.MinYear}–{DateText.MaxYear}."),
        _ => "is not a date in the form yyyy-mm-dd or dd/mm/yyyy.",
    });

    private static FieldProblem Problem(FieldSpec field, string rule, string message) => new(field.Name, rule, field.Name + " " + message);

    private static FieldProblem? Ok(object? parsed, out object? value)
    {
        value = parsed;
        return null;
    }
}

/// <summary>Why one cell was rejected: the field, the rule and a message that quotes no identifier.</summary>
/// <param name="Field">The contract field name.</param>
/// <param name="Rule">The rule code (see <see cref="Rules"/>).</param>
/// <param name="Message">The sentence for the rejection report.</param>
public sealed record FieldProblem(string Field, string Rule, string Message)
{
    /// <summary>The problem as a row error at a line.</summary>
    public RowError At(long line) => new(line, Field, Rule, Message);
}
