namespace DataHub.Core.Validation;

/// <summary>Unique Pupil Number normalisation: upper case, 13 characters, DfE modulus 23 check letter valid.</summary>
public static class Upn
{
    // The DfE check alphabet: A–Z without I, O and S; a letter's value is its position.
    private const string CheckLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";

    /// <summary>Normalises a raw UPN to upper case; false when it is malformed or its check letter is wrong.</summary>
    public static bool TryNormalise(string raw, out string upn)
    {
        var outcome = Check(raw, out var normalised);
        upn = outcome is null ? normalised! : string.Empty;
        return outcome is null;
    }

    /// <summary>Null when valid (with the normalised UPN), else the rule broken: <see cref="Rules.UpnFormat"/> or <see cref="Rules.UpnCheckLetter"/>.</summary>
    internal static string? Check(ReadOnlySpan<char> raw, out string? upn)
    {
        Span<char> chars = stackalloc char[13];
        var outcome = Check(raw, chars);
        upn = outcome is null ? new string(chars) : null;
        return outcome;
    }

    /// <summary><see cref="Check(ReadOnlySpan{char}, out string?)"/> writing the normalised UPN into <paramref name="chars"/> (13 long) rather than a new string.</summary>
    internal static string? Check(ReadOnlySpan<char> raw, Span<char> chars)
    {
        var trimmed = raw.Trim();
        if (trimmed.Length != 13)
        {
            return Rules.UpnFormat;
        }

        trimmed.ToUpperInvariant(chars);
        if (CheckLetters.IndexOf(chars[0], StringComparison.Ordinal) < 0 || chars[1..12].ContainsAnyExceptInRange('0', '9'))
        {
            return Rules.UpnFormat;
        }

        // A temporary UPN ends in a letter from the check alphabet instead of a digit.
        var last = chars[12];
        if (!char.IsAsciiDigit(last) && CheckLetters.IndexOf(last, StringComparison.Ordinal) < 0)
        {
            return Rules.UpnFormat;
        }

        if (CheckLetter(chars[1..]) != chars[0])
        {
            return Rules.UpnCheckLetter;
        }

        return null;
    }

    /// <summary>The check letter for characters 2–13 of a UPN (11 digits, then a digit or a temporary UPN's letter).</summary>
    public static char CheckLetter(ReadOnlySpan<char> twelve)
    {
        var sum = 0;
        for (var i = 0; i < 12; i++)
        {
            var c = twelve[i];
            var value = char.IsAsciiDigit(c) ? c - '0' : CheckLetters.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            sum += value * (i + 2);
        }

        return CheckLetters[sum % 23];
    }
}
