using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Validation;

/// <summary>A text folded as the pseudonymiser folds names (upper-case A–Z, accents and ligatures folded), with where each
/// word starts: an ASCII character other than a letter (space, hyphen, apostrophe, digit), or any white space or dash, ends a word.</summary>
internal sealed class FoldedWords
{
    private readonly byte[] letters = new byte[2 * FieldParser.MaxTextLength];
    private readonly bool[] wordStarts = new bool[(2 * FieldParser.MaxTextLength) + 1];
    private int length;

    /// <summary>The length of the folded letters.</summary>
    public int Length => length;

    /// <summary>Folds a value, replacing the one held before (the buffers are reused row after row).</summary>
    public void Fold(ReadOnlySpan<char> value)
    {
        // Words are runs of ASCII letters and non-ASCII characters, each folded by the pseudonymiser's own name folding
        // (which drops what folds to no letter, e.g. a combining accent).
        length = 0;
        var i = 0;
        while (i < value.Length)
        {
            if (!IsWordChar(value[i]))
            {
                i++;
                continue;
            }

            var end = i + 1;
            while (end < value.Length && IsWordChar(value[end]))
            {
                end++;
            }

            var word = value[i..end];
            i = end;
            if (length + (2 * word.Length) > letters.Length)
            {
                break;
            }

            var count = IdentityNormaliser.Name(word, letters.AsSpan(length));
            if (count > 0)
            {
                wordStarts[length] = true;
                wordStarts.AsSpan(length + 1, count - 1).Clear();
                length += count;
            }
        }

        wordStarts[length] = true;
    }

    /// <summary>True when this text has, as whole words, one of the name's words or the whole name run together
    /// (O'Brien as OBRIEN or O BRIEN, Smith-Jones as SMITH or SMITHJONES), ignoring any shorter than <see cref="FreeTextScreen.MinNameLetters"/>.</summary>
    public bool ContainsNameOf(FoldedWords name)
    {
        var start = 0;
        for (var end = 1; end <= name.length; end++)
        {
            if (name.wordStarts[end])
            {
                if (Contains(name.letters.AsSpan(start, end - start)))
                {
                    return true;
                }

                start = end;
            }
        }

        // The whole name, words run together; a one-word name was looked for above.
        return ContainsRunTogether(name);
    }

    /// <summary>True when this text has, as one whole word, a name of several words run together (JANESMITH for "Jane Smith").</summary>
    public bool ContainsRunTogether(FoldedWords name) =>
        name.wordStarts.AsSpan(1, Math.Max(name.length - 1, 0)).Contains(true) && Contains(name.letters.AsSpan(0, name.length));

    private bool Contains(ReadOnlySpan<byte> word)
    {
        if (word.Length < FreeTextScreen.MinNameLetters)
        {
            return false;
        }

        for (var s = 0; s + word.Length <= length; s++)
        {
            if (wordStarts[s] && wordStarts[s + word.Length] && letters.AsSpan(s, word.Length).SequenceEqual(word))
            {
                return true;
            }
        }

        return false;
    }

    // Any white space or dash ends a word as the ASCII space and hyphen do: a copy from Word or a web page spaces words with a
    // no-break, thin or ideographic space or joins them with an en dash (INC<NBSP>SMITH reads as two words).
    private static bool IsWordChar(char c) => char.IsAsciiLetter(c)
        || (c > '\u007F' && !char.IsWhiteSpace(c) && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.DashPunctuation);
}
