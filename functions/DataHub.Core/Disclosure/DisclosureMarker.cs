namespace DataHub.Core.Disclosure;

/// <summary>The GSS/DfE marker shown in place of (or beside) a value in a published table.</summary>
public enum DisclosureMarker
{
    /// <summary>No marker: the value is published.</summary>
    None,

    /// <summary><c>[c]</c> confidential: suppressed to protect individuals (small count, its complement, or a rate built on one).</summary>
    Confidential,

    /// <summary><c>[x]</c> unavailable: the hub has no figure (e.g. a feed did not supply it), or a rate built on such a figure.</summary>
    Unavailable,

    /// <summary><c>[z]</c> not applicable: the cell cannot exist (e.g. an indicator that does not apply to a breakdown), or a rate whose denominator is zero.</summary>
    NotApplicable,

    /// <summary><c>[low]</c> below the precision shown: a non-zero count that rounds to 0, or a rate whose denominator is below the profile's minimum.</summary>
    Low,
}

/// <summary>Text forms of <see cref="DisclosureMarker"/> as they appear in the CSV and Parquet tables.</summary>
public static class DisclosureMarkers
{
    /// <summary>The marker's text: empty, <c>[c]</c>, <c>[x]</c>, <c>[z]</c> or <c>[low]</c>.</summary>
    public static string ToText(this DisclosureMarker marker) => marker switch
    {
        DisclosureMarker.None => "",
        DisclosureMarker.Confidential => "[c]",
        DisclosureMarker.Unavailable => "[x]",
        DisclosureMarker.NotApplicable => "[z]",
        DisclosureMarker.Low => "[low]",
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

    /// <summary>A rate withheld (marker <c>[low]</c>) because its denominator is below the profile's minimum.</summary>
    RateDenominatorBelowMinimum,
}
