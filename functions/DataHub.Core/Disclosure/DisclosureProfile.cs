namespace DataHub.Core.Disclosure;

/// <summary>The disclosure rules one output is published under, as a data-sharing agreement names them.</summary>
/// <remarks>The ingest helper reads profiles from the protocol YAML; this module only takes the values.</remarks>
public sealed record DisclosureProfile
{
    /// <summary>Creates a profile and checks its values.</summary>
    /// <param name="name">The profile's name as the agreements cite it, e.g. "standard".</param>
    /// <param name="threshold">Counts from 1 to this value are suppressed (0 suppresses no non-zero count).</param>
    /// <param name="suppressZeros">Whether a count of 0 is suppressed like a small count.</param>
    /// <param name="roundingBase">When set (2 or more), published counts are rounded to the nearest multiple of it.</param>
    /// <param name="minimumDenominator">A rate whose published denominator is below this is marked <c>[u]</c>, low reliability (0: no minimum).</param>
    public DisclosureProfile(string name, int threshold, bool suppressZeros = false, int? roundingBase = null, long minimumDenominator = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumDenominator);
        if (roundingBase is < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(roundingBase), "A rounding base must be 2 or more, or absent.");
        }

        Name = name;
        Threshold = threshold;
        SuppressZeros = suppressZeros;
        RoundingBase = roundingBase;
        MinimumDenominator = minimumDenominator;
    }

    /// <summary>The profile's name as the agreements cite it.</summary>
    public string Name { get; }

    /// <summary>Counts from 1 to this value are suppressed.</summary>
    public int Threshold { get; }

    /// <summary>Whether a count of 0 is suppressed.</summary>
    public bool SuppressZeros { get; }

    /// <summary>The base published counts are rounded to, or null for exact counts.</summary>
    public int? RoundingBase { get; }

    /// <summary>Rates whose published denominator is below this are marked low reliability (<c>[u]</c>).</summary>
    public long MinimumDenominator { get; }

    /// <summary>Whether a count must be suppressed on its own (primary suppression).</summary>
    public bool IsSmall(long count) => count == 0 ? SuppressZeros : count <= Threshold;

    /// <summary>
    /// The exact counts a reader who knows this profile can tell apart from a published value: those that are not small and
    /// round to it. A published 0 (zeros shown) is exactly 0; under rounding to 5 with threshold 4, a published 5 is 5–7.
    /// </summary>
    public (long Low, long High) Interval(long published)
    {
        long? low = null, high = null;
        var reach = RoundingBase ?? 0;
        for (var x = Math.Max(0, published - reach); x <= published + reach; x++)
        {
            if (!IsSmall(x) && Round(x) == published)
            {
                low ??= x;
                high = x;
            }
        }

        return low is { } l ? (l, high!.Value) : (published, published);
    }

    /// <summary>The count as published: rounded half up to the profile's base, or unchanged without one.</summary>
    public long Round(long count)
    {
        if (RoundingBase is not { } b)
        {
            return count;
        }

        // Half up on exact integers: 2.5 of base 5 never occurs, but base 10 meets 5 → 10.
        return (count * 2 + b) / (2L * b) * b;
    }
}
