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
            else if (Folding(c) is { } letters)
            {
                foreach (var letter in letters)
                {
                    ascii[length++] = (byte)letter;
                }
            }

            // Everything else (spaces, hyphens, apostrophes, digits, combining marks of decomposed input) is dropped.
        }

        return length;
    }

    /// <summary>Base letters for U+00C0–U+024F (Latin-1 Supplement, Latin Extended-A and -B); empty for signs such as × and ÷.</summary>
    private static readonly string[] LatinFolding = BuildLatinFolding();

    /// <summary>Base letters for U+1E00–U+1EFF (Latin Extended Additional: Vietnamese, Yoruba, Welsh ẁ and ỳ, Irish dotted consonants).</summary>
    private static readonly string[] LatinExtendedAdditionalFolding = BuildLatinExtendedAdditionalFolding();

    /// <summary>The letters a non-ASCII character folds to; null for one outside the tables (dropped, as a combining mark is).</summary>
    private static string? Folding(char c) => c switch
    {
        >= '\u00C0' and <= '\u024F' => LatinFolding[c - '\u00C0'],
        >= '\u1E00' and <= '\u1EFF' => LatinExtendedAdditionalFolding[c - '\u1E00'],
        _ => null,
    };

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
            // Any Unicode space ends the word: a non-breaking space pasted from a web form or Excel separates forenames too.
            var end = IndexOfSpace(raw);
            var word = end < 0 ? raw : raw[..end];
            raw = end < 0 ? default : raw[(end + 1)..];
            if (Name(word, ascii) is > 0 and var length)
            {
                return length;
            }
        }

        return 0;
    }

    /// <summary>Where the first Unicode space (a non-breaking one too) is in <paramref name="text"/>; -1 when none.</summary>
    internal static int IndexOfSpace(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                return i;
            }
        }

        return -1;
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
        // U+0180–U+024F, and U+1E00–U+1EFF below, by the same rule as Latin Extended-A: a letter the Unicode names "LATIN
        // CAPITAL|SMALL LETTER X WITH …" (a hook, stroke, comma or dot below, …) folds to X, the digraphs DZ, LJ, NJ and AE to
        // their letters, dotless j and long s to J and S; letters with no Latin base (ezh, wynn, yogh, schwa, glottal stop,
        // clicks, tone letters) fold to nothing, as before.
        (string Letter, int Count)[] extendedB =
        [
            ("B", 4), ("", 3), ("C", 2), ("", 1), ("D", 3), ("", 4), ("F", 2), ("G", 1), ("", 3), ("I", 1), ("K", 2), ("L", 1),
            ("", 2), ("N", 2), ("O", 3), ("", 2), ("P", 2), ("", 5), ("T", 4), ("U", 2), ("", 1), ("V", 1), ("Y", 2), ("Z", 2),
            ("", 13), ("DZ", 1), ("D", 1), ("DZ", 1), ("LJ", 1), ("L", 1), ("LJ", 1), ("NJ", 1), ("N", 1), ("NJ", 1), ("A", 2),
            ("I", 2), ("O", 2), ("U", 10), ("", 1), ("A", 4), ("AE", 2), ("G", 4), ("K", 2), ("O", 4), ("", 2), ("J", 1),
            ("DZ", 1), ("D", 1), ("DZ", 1), ("G", 2), ("", 2), ("N", 2), ("A", 2), ("AE", 2), ("O", 2), ("A", 4), ("E", 4),
            ("I", 4), ("O", 4), ("R", 4), ("U", 4), ("S", 2), ("T", 2), ("", 2), ("H", 2), ("N", 1), ("D", 1), ("", 2), ("Z", 2),
            ("A", 2), ("E", 2), ("O", 8), ("Y", 2), ("L", 1), ("N", 1), ("T", 1), ("J", 1), ("", 2), ("A", 1), ("C", 2), ("L", 1),
            ("T", 1), ("S", 1), ("Z", 1), ("", 2), ("B", 1), ("", 2), ("E", 2), ("J", 2), ("", 1), ("Q", 1), ("R", 2), ("Y", 2),
        ];
        return [.. latin1, .. Expand(extendedA), .. Expand(extendedB)];
    }

    private static string[] BuildLatinExtendedAdditionalFolding() =>
    [
        .. Expand(
        [
            ("A", 2), ("B", 6), ("C", 2), ("D", 10), ("E", 10), ("F", 2), ("G", 2), ("H", 10), ("I", 4), ("K", 6), ("L", 8),
            ("M", 6), ("N", 8), ("O", 8), ("P", 4), ("R", 8), ("S", 10), ("T", 8), ("U", 10), ("V", 4), ("W", 10), ("X", 4),
            ("Y", 2), ("Z", 6), ("H", 1), ("T", 1), ("W", 1), ("Y", 1), ("A", 1), ("S", 3), ("SS", 1), ("", 1), ("A", 24),
            ("E", 16), ("I", 4), ("O", 24), ("U", 14), ("Y", 8), ("LL", 2), ("V", 2), ("Y", 2),
        ]),
    ];

    private static IEnumerable<string> Expand((string Letter, int Count)[] runs) =>
        runs.SelectMany(run => Enumerable.Repeat(run.Letter, run.Count));
}
