using System.Globalization;

namespace DataHub.Core.Kpis;

/// <summary>A calendar quarter, labelled like <c>2018Q1</c> (January–March 2018).</summary>
/// <param name="Year">The calendar year.</param>
/// <param name="Number">1 to 4.</param>
public readonly record struct Quarter(int Year, int Number) : IComparable<Quarter>
{
    /// <summary>The first day of the quarter.</summary>
    public DateOnly Start => new(Year, ((Number - 1) * 3) + 1, 1);

    /// <summary>The last day of the quarter.</summary>
    public DateOnly End => new(Year, Number * 3, DateTime.DaysInMonth(Year, Number * 3));

    /// <summary>The quarter that contains the date.</summary>
    public static Quarter Of(DateOnly date) => new(date.Year, ((date.Month - 1) / 3) + 1);

    /// <summary>Parses a label such as <c>2018Q1</c>; false when it is not one.</summary>
    public static bool TryParse(string? text, out Quarter quarter)
    {
        quarter = default;
        if (text is null || text.Length != 6 || (text[4] != 'Q' && text[4] != 'q'))
        {
            return false;
        }

        if (!int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || text[5] < '1' || text[5] > '4')
        {
            return false;
        }

        quarter = new Quarter(year, text[5] - '0');
        return true;
    }

    /// <summary>Parses a label such as <c>2018Q1</c>.</summary>
    /// <exception cref="FormatException">The text is not a quarter label.</exception>
    public static Quarter Parse(string text) =>
        TryParse(text, out var quarter) ? quarter : throw new FormatException("A quarter is written like 2018Q1 (year, Q, 1–4).");

    /// <summary>The quarter after this one.</summary>
    public Quarter Next() => Number == 4 ? new Quarter(Year + 1, 1) : new Quarter(Year, Number + 1);

    /// <summary>The quarter <paramref name="quarters"/> after this one (before it when negative).</summary>
    public Quarter Add(int quarters)
    {
        var index = (Year * 4) + Number - 1 + quarters;
        return new Quarter(index / 4, (index % 4) + 1);
    }

    /// <summary>How many quarters this one is after <paramref name="other"/> (negative when before it).</summary>
    public int QuartersSince(Quarter other) => ((Year - other.Year) * 4) + Number - other.Number;

    /// <summary>Words for charts and tables, e.g. <c>Jan–Mar 2018</c>.</summary>
    public string Label => Number switch { 1 => "Jan–Mar", 2 => "Apr–Jun", 3 => "Jul–Sep", _ => "Oct–Dec" } + " " + Year.ToString(CultureInfo.InvariantCulture);

    /// <summary>True when the date falls within the quarter.</summary>
    // Compared by year and quarter number rather than by building the start and end dates: indicators call this per record.
    public bool Contains(DateOnly date) => date.Year == Year && ((date.Month - 1) / 3) + 1 == Number;

    /// <summary>Every quarter from <paramref name="first"/> to <paramref name="last"/> inclusive.</summary>
    public static IEnumerable<Quarter> Range(Quarter first, Quarter last)
    {
        for (var q = first; q.CompareTo(last) <= 0; q = q.Next())
        {
            yield return q;
        }
    }

    /// <inheritdoc />
    public int CompareTo(Quarter other) => Year != other.Year ? Year.CompareTo(other.Year) : Number.CompareTo(other.Number);

    /// <summary>The label, e.g. <c>2018Q1</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Year:D4}Q{Number}");
}
