using System.Globalization;
using System.Text;

namespace DataHub.Core.Pseudonymisation;

/// <summary>Turns identifying values into the one canonical text each linkage key is made from (docs/linkage.md).</summary>
public static class IdentityNormaliser
{
    /// <summary>
    /// A name as upper-case letters A–Z only: diacritics folded ("Zoë" → "ZOE"), ligatures expanded ("Æ" → "AE"),
    /// spaces, hyphens and apostrophes removed ("O'Brien-Smith" → "OBRIENSMITH"). Null when no letter remains.
    /// </summary>
    public static string? Name(string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        Span<byte> folded = raw.Length <= 128 ? stackalloc byte[2 * raw.Length] : new byte[2 * raw.Length];
        var length = Name(raw, folded);
        return length == 0 ? null : Encoding.ASCII.GetString(folded[..length]);
    }

    /// <summary>
    /// <see cref="Name(string?)"/> into <paramref name="ascii"/> (at least twice <paramref name="raw"/>'s length): the
    /// folded letters as ASCII bytes; returns how many (0 when no letter remains).
    /// </summary>
    public static int Name(ReadOnlySpan<char> raw, Span<byte> ascii)
    {
        // A fixed table rather than string.Normalize: the hub runs with invariant globalization, where Unicode
        // decomposition is unavailable, and the folding must never depend on the machine's ICU version.
        var length = 0;
        foreach (var c in raw)
        {
            if (c is >= 'a' and <= 'z')
            {
                ascii[length++] = (byte)(c - 32);
            }
            else if (c is >= 'A' and <= 'Z')
            {
                ascii[length++] = (byte)c;
            }
            else if (c is >= '\u00C0' and <= '\u017F')
            {
                foreach (var letter in LatinFolding[c - '\u00C0'])
                {
                    ascii[length++] = (byte)letter;
                }
            }
            else if (c is '\u1E9E')
            {
                ascii[length++] = (byte)'S';
                ascii[length++] = (byte)'S';
            }

            // Everything else (spaces, hyphens, apostrophes, digits, combining marks of decomposed input) is dropped.
        }

        return length;
    }

    /// <summary>Base letters for U+00C0–U+017F (Latin-1 Supplement and Latin Extended-A); empty for signs such as × and ÷.</summary>
    private static readonly string[] LatinFolding = BuildLatinFolding();

    /// <summary>The first forename only: the first space-separated word, normalised as <see cref="Name(string?)"/>.</summary>
    public static string? FirstForename(string? raw)
    {
        if (raw is null)
        {
            return null;
        }

        Span<byte> folded = raw.Length <= 128 ? stackalloc byte[2 * raw.Length] : new byte[2 * raw.Length];
        var length = FirstForename(raw, folded);
        return length == 0 ? null : Encoding.ASCII.GetString(folded[..length]);
    }

    /// <summary><see cref="FirstForename(string?)"/> into <paramref name="ascii"/> (at least twice <paramref name="raw"/>'s length); returns the length (0: none).</summary>
    public static int FirstForename(ReadOnlySpan<char> raw, Span<byte> ascii)
    {
        while (!raw.IsEmpty)
        {
            var end = raw.IndexOfAny(' ', '\t');
            var word = end < 0 ? raw : raw[..end];
            raw = end < 0 ? default : raw[(end + 1)..];
            if (Name(word, ascii) is > 0 and var length)
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>The first letter of the normalised name (or of an initial as sent); null when there is none.</summary>
    public static string? Initial(string? raw) => Initial(raw.AsSpan()) is > 0 and var letter ? ((char)letter).ToString() : null;

    /// <summary>The first letter of the normalised name as an ASCII byte; 0 when there is none.</summary>
    public static byte Initial(ReadOnlySpan<char> raw)
    {
        Span<byte> folded = stackalloc byte[2];
        foreach (var c in raw)
        {
            // The first character that folds to any letter gives the initial.
            if (Name(new ReadOnlySpan<char>(in c), folded) > 0)
            {
                return folded[0];
            }
        }

        return 0;
    }

    /// <summary>Sex as M, F or U; null when absent or not recognisable.</summary>
    public static string? Sex(string? raw) => Sex(raw.AsSpan()) switch
    {
        (byte)'M' => "M",
        (byte)'F' => "F",
        (byte)'U' => "U",
        _ => null,
    };

    /// <summary>Sex as the ASCII byte M, F or U; 0 when absent or not recognisable.</summary>
    public static byte Sex(ReadOnlySpan<char> raw)
    {
        raw = raw.Trim();
        return raw.Equals("M", StringComparison.OrdinalIgnoreCase) || raw.Equals("MALE", StringComparison.OrdinalIgnoreCase) ? (byte)'M'
            : raw.Equals("F", StringComparison.OrdinalIgnoreCase) || raw.Equals("FEMALE", StringComparison.OrdinalIgnoreCase) ? (byte)'F'
            : raw.Equals("U", StringComparison.OrdinalIgnoreCase) || raw.Equals("UNKNOWN", StringComparison.OrdinalIgnoreCase) || raw.Equals("X", StringComparison.OrdinalIgnoreCase) ? (byte)'U'
            : (byte)0;
    }

    /// <summary>A date of birth as ISO yyyy-MM-dd.</summary>
    public static string DateOfBirth(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A date of birth as the ten ASCII bytes of ISO yyyy-MM-dd.</summary>
    public static void DateOfBirth(DateOnly date, Span<byte> tenBytes)
    {
        static void Digits(Span<byte> into, int value)
        {
            for (var i = into.Length - 1; i >= 0; i--, value /= 10)
            {
                into[i] = (byte)('0' + (value % 10));
            }
        }

        Digits(tenBytes[..4], date.Year);
        tenBytes[4] = (byte)'-';
        Digits(tenBytes.Slice(5, 2), date.Month);
        tenBytes[7] = (byte)'-';
        Digits(tenBytes.Slice(8, 2), date.Day);
    }

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
