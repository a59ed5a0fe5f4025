using System.Globalization;
using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>Turns identifying values into the one canonical text each linkage key is made from (DESIGN.md, "Identifiers and linkage").</summary>
public static class IdentityNormaliser
{
    /// <summary>
    /// A name as upper-case letters A–Z only: diacritics folded ("Zoë" → "ZOE"), ligatures expanded ("Æ" → "AE"),
    /// spaces, hyphens and apostrophes removed ("O'Brien-Smith" → "OBRIENSMITH"). Null when no letter remains.
    /// </summary>
    public static string? Name(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        // A fixed table rather than string.Normalize: the hub runs with invariant globalization, where Unicode
        // decomposition is unavailable, and the folding must never depend on the machine's ICU version.
        var builder = new StringBuilder(raw.Length);
        foreach (var c in raw)
        {
            if (c is >= 'a' and <= 'z')
            {
                builder.Append((char)(c - 32));
            }
            else if (c is >= 'A' and <= 'Z')
            {
                builder.Append(c);
            }
            else if (c is >= '\u00C0' and <= '\u017F')
            {
                builder.Append(LatinFolding[c - '\u00C0']);
            }
            else if (c is '\u1E9E')
            {
                builder.Append("SS");
            }

            // Everything else (spaces, hyphens, apostrophes, digits, combining marks of decomposed input) is dropped.
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>Base letters for U+00C0–U+017F (Latin-1 Supplement and Latin Extended-A); empty for signs such as × and ÷.</summary>
    private static readonly string[] LatinFolding = BuildLatinFolding();

    /// <summary>The first forename only: the first space-separated word, normalised as <see cref="Name"/>.</summary>
    public static string? FirstForename(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        foreach (var word in raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Name(word) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The first letter of the normalised name (or of an initial as sent); null when there is none.</summary>
    public static string? Initial(string? raw) => Name(raw) is { } name ? name[..1] : null;

    /// <summary>Sex as M, F or U; null when absent or not recognisable.</summary>
    public static string? Sex(string? raw) => raw?.Trim().ToUpperInvariant() switch
    {
        "M" or "MALE" => "M",
        "F" or "FEMALE" => "F",
        "U" or "UNKNOWN" or "X" => "U",
        _ => null,
    };

    /// <summary>A date of birth as ISO yyyy-MM-dd.</summary>
    public static string DateOfBirth(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A partner's own person id: trimmed and upper-cased, so "ab12 " and "AB12" are one person. Null when empty.</summary>
    public static string? LocalId(string? raw) =>
        string.IsNullOrWhiteSpace(raw) ? null : raw.Trim().ToUpperInvariant();

    private static string[] BuildLatinFolding()
    {
        // U+00C0–U+00FF, one entry per code point.
        string[] latin1 =
        [
            "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
            "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "SS",
            "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I",
            "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "Y",
        ];

        // U+0100–U+017F in runs of the same base letter.
        (string Letter, int Count)[] extendedA =
        [
            ("A", 6), ("C", 8), ("D", 4), ("E", 10), ("G", 8), ("H", 4), ("I", 10), ("IJ", 2), ("J", 2), ("K", 3), ("L", 10),
            ("N", 9), ("O", 6), ("OE", 2), ("R", 6), ("S", 8), ("T", 6), ("U", 12), ("W", 2), ("Y", 3), ("Z", 6), ("S", 1),
        ];
        return [.. latin1, .. extendedA.SelectMany(run => Enumerable.Repeat(run.Letter, run.Count))];
    }
}
