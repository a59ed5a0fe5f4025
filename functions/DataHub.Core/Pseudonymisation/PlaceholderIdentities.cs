using System.Buffers;
using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>
/// The values partners' systems write when they do not know an identity ("UNKNOWN", "N/K", "Baby", 01/01/1900,
/// 0000000000, a 999 test NHS number). They identify no one, so they make no linkage token: two strangers sharing one
/// would otherwise be linked (docs/linkage.md, "Placeholder identities make no token").
/// </summary>
public static class PlaceholderIdentities
{
    /// <summary>Placeholders for a surname or a forename, as <see cref="IdentityNormaliser.Name(string?)"/> folds them (letters only, upper case).</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "UNKNOWN", "NOTKNOWN", "NK", "UNK", "NONE", "NONAME", "NAMEWITHHELD", "WITHHELD", "REFUSED", "NOTSTATED", "NOTGIVEN",
        "ANON", "ANONYMOUS", "TEST", "XXX",
    ];

    /// <summary>Placeholders for a forename only: an unborn or newborn child recorded before they are named ("Unborn Smith", "Baby of Smith").</summary>
    public static IReadOnlyList<string> Forenames { get; } = ["BABY", "UNBORN"];

    /// <summary>
    /// Default dates systems write for an unknown date of birth: the SQL Server and .NET minimums, the spreadsheet day zero
    /// (1899-12-30, 1899-12-31), and 1 January of 1800, 1900 and 1901. No one alive in these feeds was born on any of them.
    /// </summary>
    public static IReadOnlyList<DateOnly> DatesOfBirth { get; } =
    [
        DateOnly.MinValue, new(1753, 1, 1), new(1800, 1, 1), new(1899, 12, 30), new(1899, 12, 31), new(1900, 1, 1), new(1901, 1, 1),
    ];

    // The folded placeholders as ASCII bytes, as IdentityNormaliser.Name writes a name.
    private static readonly byte[][] NameBytes = [.. Names.Select(Encoding.ASCII.GetBytes)];
    private static readonly byte[][] ForenameBytes = [.. Names.Concat(Forenames).Select(Encoding.ASCII.GetBytes)];

    // The letters a placeholder starts with: most names start with another and are passed without being folded.
    private static readonly SearchValues<byte> FirstLetters = SearchValues.Create([.. ForenameBytes.Select(p => p[0]).Distinct()]);

    /// <summary>
    /// True when the surname (or, with <paramref name="forename"/>, the forename) is a placeholder: the whole name folded,
    /// or its first word, is one of <see cref="Names"/> (or <see cref="Forenames"/>). "N/K", "Not-Known", "Not Known",
    /// "Baby Boy" and "Unknown (father)" are; "Knott", "Testa", "Nunkett" and the surname "Babyak" are not.
    /// </summary>
    public static bool IsName(ReadOnlySpan<char> raw, bool forename)
    {
        if (!FirstLetters.Contains(IdentityNormaliser.Initial(raw)))
        {
            return false;
        }

        var placeholders = forename ? ForenameBytes : NameBytes;
        Span<byte> folded = raw.Length <= 64 ? stackalloc byte[2 * raw.Length] : new byte[2 * raw.Length];
        try
        {
            if (IsOneOf(folded[..IdentityNormaliser.Name(raw, folded)], placeholders))
            {
                return true;
            }

            // The first word only when there is more than one: "Baby Boy", "Unknown Male".
            return IdentityNormaliser.IndexOfSpace(raw.Trim()) > 0 && IsOneOf(folded[..IdentityNormaliser.FirstForename(raw, folded)], placeholders);
        }
        finally
        {
            // The scratch held a normalised name.
            folded.Clear();
        }
    }

    /// <summary>True when <paramref name="date"/> is one of <see cref="DatesOfBirth"/>.</summary>
    public static bool IsDateOfBirth(DateOnly date)
    {
        foreach (var placeholder in DatesOfBirth)
        {
            if (placeholder == date)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when ten NHS number digits are a dummy: one digit repeated (every such number passes the modulus 11 check), or
    /// in the 999 range, which is reserved for test patients and never issued to a person.
    /// </summary>
    public static bool IsNhsNumber(ReadOnlySpan<char> tenDigits) =>
        tenDigits.Length == 10 && (tenDigits.IndexOfAnyExcept(tenDigits[0]) < 0 || tenDigits.StartsWith("999"));

    private static bool IsOneOf(ReadOnlySpan<byte> folded, byte[][] placeholders)
    {
        foreach (var placeholder in placeholders)
        {
            if (folded.SequenceEqual(placeholder))
            {
                return true;
            }
        }

        return false;
    }
}
