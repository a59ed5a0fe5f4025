namespace DataHub.Core.Validation;

/// <summary>Parses the two date forms the feeds accept: ISO yyyy-mm-dd and UK dd/mm/yyyy (day and month may be one digit).</summary>
public static class DateText
{
    /// <summary>The earliest year accepted; older dates are typing errors in these feeds.</summary>
    public const int MinYear = 1900;

    /// <summary>The latest year accepted.</summary>
    public const int MaxYear = 2099;

    /// <summary>Parses a date; false when it is in neither form or does not exist.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DateOnly date) => Parse(text, out date) is null;

    /// <summary>Null when the text is a valid date, else the rule broken (<see cref="Rules.DateFormat"/>,
    /// <see cref="Rules.DateImpossible"/>, <see cref="Rules.DateExcelSerial"/>, <see cref="Rules.DateRange"/>).</summary>
    public static string? Parse(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        var s = text.Trim();
        int year, month, day;
        if (s.Length == 10 && s[4] == '-' && s[7] == '-')
        {
            if (!Digits(s[..4], out year) || !Digits(s.Slice(5, 2), out month) || !Digits(s.Slice(8, 2), out day))
            {
                return Rules.DateFormat;
            }
        }
        else if (s.IndexOf('/') is > 0 and var first && s.LastIndexOf('/') is var second && second > first + 1)
        {
            // UK order only: d/m/yyyy with a four-digit year, so 01/02/18 and US m/d/yyyy cannot slip through as a guess.
            if (first > 2 || second - first - 1 > 2 || s.Length - second - 1 != 4
                || !Digits(s[..first], out day) || !Digits(s.Slice(first + 1, second - first - 1), out month)
                || !Digits(s[(second + 1)..], out year))
            {
                return Rules.DateFormat;
            }
        }
        else
        {
            return LooksLikeExcelSerial(s) ? Rules.DateExcelSerial : Rules.DateFormat;
        }

        if (month is < 1 or > 12 || day < 1 || year < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Rules.DateImpossible;
        }

        if (year is < MinYear or > MaxYear)
        {
            return Rules.DateRange;
        }

        date = new DateOnly(year, month, day);
        return null;
    }

    // Excel stores dates as days since 1899-12-30; a CSV cell of 4–6 digits (optionally with a fraction) in a date column is one.
    private static bool LooksLikeExcelSerial(ReadOnlySpan<char> s)
    {
        var point = s.IndexOf('.');
        var whole = point >= 0 ? s[..point] : s;
        var fraction = point >= 0 ? s[(point + 1)..] : [];
        return whole.Length is >= 4 and <= 6 && !whole.ContainsAnyExceptInRange('0', '9') && !fraction.ContainsAnyExceptInRange('0', '9');
    }

    private static bool Digits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
