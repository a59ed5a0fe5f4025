namespace DataHub.Core.Validation;

/// <summary>NHS number normalisation: digits only after removing spaces and hyphens, 10 digits, modulus 11 check digit valid.</summary>
public static class NhsNumber
{
    /// <summary>Normalises a raw NHS number to its ten digits; false when it is malformed or fails the check digit.</summary>
    public static bool TryNormalise(string raw, out string tenDigits)
    {
        var outcome = Check(raw, out var digits);
        tenDigits = outcome is null ? digits! : string.Empty;
        return outcome is null;
    }

    /// <summary>Null when valid (with the ten digits), else the rule broken: <see cref="Rules.NhsFormat"/> or <see cref="Rules.NhsCheckDigit"/>.</summary>
    internal static string? Check(ReadOnlySpan<char> raw, out string? tenDigits)
    {
        Span<char> digits = stackalloc char[10];
        var outcome = Check(raw, digits);
        tenDigits = outcome is null ? new string(digits) : null;
        return outcome;
    }

    /// <summary><see cref="Check(ReadOnlySpan{char}, out string?)"/> writing the ten digits into <paramref name="digits"/> (10 long) rather than a new string.</summary>
    internal static string? Check(ReadOnlySpan<char> raw, Span<char> digits)
    {
        var count = 0;
        foreach (var c in raw.Trim())
        {
            if (c is ' ' or '-')
            {
                continue;
            }

            if (c is < '0' or > '9' || count == 10)
            {
                return Rules.NhsFormat;
            }

            digits[count++] = c;
        }

        if (count != 10)
        {
            return Rules.NhsFormat;
        }

        // 0000000000 and 9999999999 pass modulus 11 but are placeholders; linking on them would merge strangers.
        if (digits.IndexOfAnyExcept(digits[0]) < 0)
        {
            return Rules.NhsFormat;
        }

        if (CheckDigit(digits[..9]) != digits[9] - '0')
        {
            return Rules.NhsCheckDigit;
        }

        return null;
    }

    /// <summary>The modulus 11 check digit of the first nine digits, or -1 when none exists (remainder gives 10).</summary>
    public static int CheckDigit(ReadOnlySpan<char> nineDigits)
    {
        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (nineDigits[i] - '0') * (10 - i);
        }

        var check = 11 - (sum % 11);
        return check switch
        {
            11 => 0,
            10 => -1,
            _ => check,
        };
    }
}
