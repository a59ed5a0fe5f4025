namespace DataHub.Core.Validation;

/// <summary>Name normalisation for linkage keys: upper case, letters A–Z only, diacritics folded (é → E, ß → SS, Ø → O).</summary>
/// <remarks>Folding uses an explicit table for Latin-1 and Latin Extended-A because Unicode decomposition is not available
/// under invariant globalization, which this solution runs with.</remarks>
public static class NameText
{
    // Index = code point - 0xC0, for U+00C0..U+017F; each entry is the folded ASCII letters ("" drops the character).
    private static readonly string[] Latin = BuildTable();

    /// <summary>The folded form of a name: "O'Brien-Núñez" → "OBRIENNUNEZ"; empty when it has no letters.</summary>
    public static string Fold(ReadOnlySpan<char> name)
    {
        Span<char> buffer = name.Length <= 128 ? stackalloc char[name.Length * 2] : new char[name.Length * 2];
        var length = 0;
        foreach (var c in name)
        {
            if (c is >= 'a' and <= 'z')
            {
                buffer[length++] = (char)(c - 32);
            }
            else if (c is >= 'A' and <= 'Z')
            {
                buffer[length++] = c;
            }
            else if (c is >= '\u00C0' and <= '\u017F')
            {
                foreach (var folded in Latin[c - 0xC0])
                {
                    buffer[length++] = folded;
                }
            }
            else if (c == '\u1E9E')
            {
                // Capital sharp s, as ß.
                buffer[length++] = 'S';
                buffer[length++] = 'S';
            }
        }

        return new string(buffer[..length]);
    }

    /// <summary>The folded first letter of a name, or null when it has no letters.</summary>
    public static char? Initial(ReadOnlySpan<char> name)
    {
        var folded = Fold(name);
        return folded.Length == 0 ? null : folded[0];
    }

    private static string[] BuildTable()
    {
        var table = new string[0x17F - 0xC0 + 1];
        Array.Fill(table, string.Empty);
        void Set(string chars, string folded)
        {
            foreach (var c in chars)
            {
                table[c - 0xC0] = folded;
            }
        }

        Set("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "A");
        Set("Ææ", "AE");
        Set("ÇçĆćĈĉĊċČč", "C");
        Set("ÐðĎďĐđ", "D");
        Set("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "E");
        Set("ĜĝĞğĠġĢģ", "G");
        Set("ĤĥĦħ", "H");
        Set("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "I");
        Set("Ĳĳ", "IJ");
        Set("Ĵĵ", "J");
        Set("Ķķĸ", "K");
        Set("ĹĺĻļĽľĿŀŁł", "L");
        Set("ÑñŃńŅņŇňŉŊŋ", "N");
        Set("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "O");
        Set("Œœ", "OE");
        Set("ŔŕŖŗŘř", "R");
        Set("ŚśŜŝŞşŠšſ", "S");
        Set("ß", "SS");
        Set("ŢţŤťŦŧ", "T");
        Set("Þþ", "TH");
        Set("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "U");
        Set("Ŵŵ", "W");
        Set("ÝýÿŶŷŸ", "Y");
        Set("ŹźŻżŽž", "Z");
        return table;
    }
}
