namespace DataHub.Core.Feeds;

/// <summary>Matches column headers to contract field names: case-insensitive, ignoring spaces, hyphens and underscores.</summary>
public static class HeaderMatcher
{
    /// <summary>The comparison key of a header or field name: lower case, without spaces, hyphens or underscores.</summary>
    public static string Normalise(ReadOnlySpan<char> header)
    {
        Span<char> buffer = header.Length <= 256 ? stackalloc char[header.Length] : new char[header.Length];
        var length = 0;
        foreach (var c in header.Trim())
        {
            if (IsSeparator(c))
            {
                continue;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        return new string(buffer[..length]);
    }

    /// <summary>True when a header as sent names the field.</summary>
    public static bool Matches(string header, string fieldName) =>
        string.Equals(Normalise(header), Normalise(fieldName), StringComparison.Ordinal);

    /// <summary>The contract field a header names, or null when it names none.</summary>
    public static FieldSpec? Match(FeedContract contract, string header)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var key = Normalise(header);
        return contract.Fields.FirstOrDefault(f => string.Equals(Normalise(f.Name), key, StringComparison.Ordinal));
    }

    internal static bool IsSeparator(char c) => c is ' ' or '-' or '_' or '\t' or '\u00A0';
}
