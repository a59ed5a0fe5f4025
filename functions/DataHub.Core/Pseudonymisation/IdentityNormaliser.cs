using System.Globalization;
using DataHub.Core.Validation;

namespace DataHub.Core.Pseudonymisation;

/// <summary>Turns identifying values into the one canonical text each linkage key is made from (DESIGN.md, "Identifiers and linkage").</summary>
public static class IdentityNormaliser
{
    /// <summary>
    /// A name as upper-case letters A–Z only: diacritics folded ("Zoë" → "ZOE"), ligatures expanded ("Æ" → "AE"),
    /// spaces, hyphens and apostrophes removed ("O'Brien-Smith" → "OBRIENSMITH"). Null when no letter remains.
    /// </summary>
    public static string? Name(string? raw)
    {
        // One folding table for the whole hub: the feeds' NameText (Latin-1 and Latin Extended-A, no ICU needed).
        var folded = string.IsNullOrWhiteSpace(raw) ? string.Empty : NameText.Fold(raw);
        return folded.Length == 0 ? null : folded;
    }

    /// <summary>The first forename only: the first space-separated word, normalised as <see cref="Name"/>.</summary>
    public static string? FirstForename(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        foreach (var word in raw.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Name(word) is { } name)
            {
                return name;
            }
        }

        return null;
    }

    /// <summary>The first letter of the normalised name (or of an initial as sent); null when there is none.</summary>
    public static string? Initial(string? raw) => Name(raw) is { } name ? name[..1] : null;

    /// <summary>Sex as M, F or U; null when absent or not recognisable.</summary>
    public static string? Sex(string? raw) => raw?.Trim().ToUpperInvariant() switch
    {
        "M" or "MALE" => "M",
        "F" or "FEMALE" => "F",
        "U" or "UNKNOWN" or "X" => "U",
        _ => null,
    };

    /// <summary>A date of birth as ISO yyyy-MM-dd.</summary>
    public static string DateOfBirth(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A partner's own person id: trimmed and upper-cased, so "ab12 " and "AB12" are one person. Null when empty.</summary>
    public static string? LocalId(string? raw) =>
        string.IsNullOrWhiteSpace(raw) ? null : raw.Trim().ToUpperInvariant();
}
