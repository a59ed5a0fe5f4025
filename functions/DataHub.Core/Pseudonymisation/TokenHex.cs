namespace DataHub.Core.Pseudonymisation;

/// <summary>A MAC's bytes as lowercase hex ASCII, the text of every token, by a 256-entry table.</summary>
/// <remarks>
/// Text formatting, not cryptography: the same output as <see cref="Convert.TryToHexStringLower(ReadOnlySpan{byte}, Span{byte}, out int)"/>,
/// which in the portable native executable (no SSSE3) calls <c>Vector128.Shuffle</c> as a function per 16 bytes and
/// cost about 4% of an ingest's CPU; a table lookup per byte costs a fraction of that.
/// </remarks>
internal static class TokenHex
{
    // Byte b's two lowercase hex digits at 2b and 2b + 1.
    private static readonly byte[] Digits = BuildDigits();

    /// <summary>Writes the two hex digits of each of <paramref name="bytes"/> into <paramref name="ascii"/> (twice as long).</summary>
    public static void Write(ReadOnlySpan<byte> bytes, Span<byte> ascii)
    {
        ascii = ascii[..(2 * bytes.Length)];
        var digits = Digits;
        for (var i = 0; i < bytes.Length; i++)
        {
            var at = 2 * bytes[i];
            ascii[2 * i] = digits[at];
            ascii[(2 * i) + 1] = digits[at + 1];
        }
    }

    private static byte[] BuildDigits()
    {
        var digits = new byte[512];
        for (var b = 0; b < 256; b++)
        {
            digits[2 * b] = (byte)"0123456789abcdef"[b >> 4];
            digits[(2 * b) + 1] = (byte)"0123456789abcdef"[b & 15];
        }

        return digits;
    }
}
