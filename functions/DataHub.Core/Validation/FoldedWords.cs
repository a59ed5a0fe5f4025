using System.Buffers;
using System.Globalization;
using System.Text;
using DataHub.Core.Pseudonymisation;

namespace DataHub.Core.Validation;

/// <summary>A text folded as the pseudonymiser folds names (upper-case A–Z, accents and ligatures folded), with where each
/// word starts: only a letter, a combining mark or an invisible format character is part of a word; anything else (a space,
/// an apostrophe straight or curly, a digit, a dash, a middle dot) ends one.</summary>
internal sealed class FoldedWords
{
    /// <summary>The most consecutive name words looked for run together (OBRIEN, VANDERBERG): names have few.</summary>
    public const int MaxRunWords = 4;

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
            var width = WordCharWidth(value, i);
            if (width == 0)
            {
                i++;
                continue;
            }

            var end = i + width;
            while (end < value.Length && (width = WordCharWidth(value, end)) > 0)
            {
                end += width;
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

    /// <summary>True when this text has, as whole words, one of the name's words or two to <see cref="MaxRunWords"/> of its
    /// consecutive words run together (O'Brien as OBRIEN or O BRIEN; O'Brien-Smith, folded to O, BRIEN and SMITH, as OBRIEN,
    /// SMITH or BRIENSMITH), ignoring any shorter than <see cref="FreeTextScreen.MinNameLetters"/> and runs of short words only;
    /// or the whole name run together, however many words it has.</summary>
    public bool ContainsNameOf(FoldedWords name)
    {
        for (var start = 0; start < name.length; start++)
        {
            if (!name.wordStarts[start])
            {
                continue;
            }

            var words = 0;
            var longWord = false;
            var wordStart = start;

            // A run no longer than the text, and of a few words: a notes column shifted into a name field would otherwise
            // cost the square of its words on every row. A run of short words only (De La as DELA, Al So as ALSO) matches
            // ordinary text more often than it finds the name; a single word is looked for as itself.
            for (var end = start + 1; end <= name.length && end - start <= length && words < MaxRunWords; end++)
            {
                if (!name.wordStarts[end])
                {
                    continue;
                }

                words++;
                longWord |= end - wordStart >= FreeTextScreen.MinNameLetters;
                wordStart = end;
                if ((words == 1 || longWord) && Contains(name.letters.AsSpan(start, end - start)))
                {
                    return true;
                }
            }
        }

        // The whole name run together, whatever its words: as it is written, it is the name.
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

    // How many characters the word character here takes (2 beyond the first 65,536 characters), 0 when it ends a word. Beyond
    // ASCII only a letter, a combining mark (Mn, Mc, Me) or a format character (Cf) is part of a word, the last two folding
    // to nothing as they show: any other character ends it as the ASCII space, hyphen and apostrophe do (SMITH<U+2019>S,
    // INC<U+00B7>SMITH, INC<U+2212>SMITH, INC<NBSP>SMITH, INC<U+2013>SMITH hold SMITH). So does a Hangul filler (U+3164,
    // a letter to Unicode), which shows as a blank.
    private static int WordCharWidth(ReadOnlySpan<char> value, int at)
    {
        var c = value[at];
        if (c <= '\u007F')
        {
            return char.IsAsciiLetter(c) ? 1 : 0;
        }

        if (Rune.DecodeFromUtf16(value[at..], out var rune, out var consumed) != OperationStatus.Done)
        {
            return 0;
        }

        var word = Rune.GetUnicodeCategory(rune) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => !FreeTextScreen.IsInvisible(rune),
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark
                or UnicodeCategory.Format => true,
            _ => false,
        };
        return word ? consumed : 0;
    }
}
