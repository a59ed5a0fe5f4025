using System.Text;

namespace DataHub.Core.Parsing;

/// <summary>Decides a CSV file's encoding as it streams: UTF-8 (with or without BOM) unless the first non-ASCII bytes are
/// not valid UTF-8, in which case Windows-1252. ASCII-only rows decode the same either way, so no look-ahead is needed.</summary>
internal sealed class TextDecoding
{
    private static readonly Encoding Windows1252 = CodePagesEncodingProvider.Instance.GetEncoding(1252)
        ?? throw new InvalidOperationException("Windows-1252 is not available from CodePagesEncodingProvider.");

    private static readonly Encoding Utf8Text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private State state;

    public TextDecoding(bool byteOrderMark) => state = byteOrderMark ? State.Utf8Bom : State.Ascii;

    private enum State
    {
        Ascii,
        Utf8,
        Utf8Bom,
        Windows1252,
    }

    /// <summary>The encoding as decided so far: "utf-8-bom", "utf-8", "windows-1252", or "ascii" while nothing else was seen.</summary>
    public string Name => state switch
    {
        State.Utf8Bom => "utf-8-bom",
        State.Utf8 => "utf-8",
        State.Windows1252 => "windows-1252",
        _ => "ascii",
    };

    /// <summary>Looks at one record's bytes; false when they are invalid UTF-8 in a file already known to be UTF-8.</summary>
    public bool Accept(ReadOnlySpan<byte> record) => Accept(record, out _);

    /// <summary>As <see cref="Accept(ReadOnlySpan{byte})"/>, also saying whether the record is pure ASCII (bytes and chars align).</summary>
    public bool Accept(ReadOnlySpan<byte> record, out bool ascii)
    {
        ascii = System.Text.Ascii.IsValid(record);
        if (ascii || state == State.Windows1252)
        {
            return true;
        }

        if (System.Text.Unicode.Utf8.IsValid(record))
        {
            if (state == State.Ascii)
            {
                state = State.Utf8;
            }

            return true;
        }

        if (state == State.Ascii)
        {
            state = State.Windows1252;
            return true;
        }

        return false;
    }

    /// <summary>Decodes bytes into <paramref name="chars"/> (at least as long as the bytes) and returns the decoded span.</summary>
    public ReadOnlySpan<char> Decode(ReadOnlySpan<byte> bytes, Span<char> chars)
    {
        var count = (state == State.Windows1252 ? Windows1252 : Utf8Text).GetChars(bytes, chars);
        return chars[..count];
    }

    /// <summary>Decodes bytes to a new string.</summary>
    public string DecodeString(ReadOnlySpan<byte> bytes) => (state == State.Windows1252 ? Windows1252 : Utf8Text).GetString(bytes);
}
