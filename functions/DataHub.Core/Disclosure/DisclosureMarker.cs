namespace DataHub.Core.Disclosure;

/// <summary>The GSS marker shown in place of (or, for <c>[u]</c>, beside) a value in a published table.</summary>
public enum DisclosureMarker
{
    /// <summary>No marker: the value is published.</summary>
    None,

    /// <summary><c>[c]</c> confidential: withheld to protect individuals (small count, its complement, or a rate built on one); no number is shown.</summary>
    Confidential,

    /// <summary><c>[x]</c> not available: the hub has no figure (e.g. the feed was not received for the period), or a rate built on such a figure.</summary>
    Unavailable,

    /// <summary><c>[z]</c> not applicable: the figure cannot exist (a rate over zero, a window not yet closed).</summary>
    NotApplicable,

    /// <summary><c>[low]</c> a non-zero count that rounds to 0 (only possible when the threshold is below half the rounding base).</summary>
    Low,

    /// <summary><c>[u]</c> low reliability: the value is shown, but its denominator is below the profile's minimum.</summary>
    LowReliability,
}

/// <summary>Text forms of <see cref="DisclosureMarker"/> as they appear in the CSV and Parquet tables.</summary>
public static class DisclosureMarkers
{
    /// <summary>The marker's text: empty, <c>[c]</c>, <c>[x]</c>, <c>[z]</c>, <c>[low]</c> or <c>[u]</c>.</summary>
    public static string ToText(this DisclosureMarker marker) => marker switch
    {
        DisclosureMarker.None => "",
        DisclosureMarker.Confidential => "[c]",
        DisclosureMarker.Unavailable => "[x]",
        DisclosureMarker.NotApplicable => "[z]",
        DisclosureMarker.Low => "[low]",
        DisclosureMarker.LowReliability => "[u]",
        _ => throw new ArgumentOutOfRangeException(nameof(marker)),
    };

    /// <summary>Parses a marker's text (as <see cref="ToText"/> writes it); false for anything else.</summary>
    public static bool TryParse(string? text, out DisclosureMarker marker)
    {
        marker = text switch
        {
            null or "" => DisclosureMarker.None,
            "[c]" => DisclosureMarker.Confidential,
            "[x]" => DisclosureMarker.Unavailable,
            "[z]" => DisclosureMarker.NotApplicable,
            "[low]" => DisclosureMarker.Low,
            "[u]" => DisclosureMarker.LowReliability,
            _ => (DisclosureMarker)(-1),
        };
        return Enum.IsDefined(marker);
    }
}

/// <summary>Why a cell is not published, for the secure-zone audit.</summary>
public enum SuppressionReason
{
    /// <summary>Not suppressed.</summary>
    None,

    /// <summary>Primary: the count itself is small (1..threshold, or 0 when the profile suppresses zeros).</summary>
    Primary,

    /// <summary>Secondary: a complementary count suppressed so that a suppressed cell cannot be worked out from margins.</summary>
    Secondary,

    /// <summary>A rate suppressed because its numerator or denominator count is suppressed.</summary>
    Rate,

    /// <summary>A count suppressed because the rounded counts around it (each known to lie within its rounding interval) would
    /// pin it to its exact value.</summary>
    Rounding,
}
