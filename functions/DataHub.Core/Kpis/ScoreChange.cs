namespace DataHub.Core.Kpis;

/// <summary>Improved, unchanged or declined: a person's initial score against their latest, in the measure's better direction.</summary>
public static class ScoreChange
{
    /// <summary>The category labels, in published order.</summary>
    public static IReadOnlyList<string> Categories { get; } = ["change:improved", "change:unchanged", "change:declined"];

    /// <summary>The category label comparing <paramref name="initial"/> with <paramref name="latest"/>.</summary>
    public static string Compare(int initial, int latest, BetterDirection better)
    {
        if (latest == initial || better == BetterDirection.Neither)
        {
            return Categories[1];
        }

        var improved = better == BetterDirection.Lower ? latest < initial : latest > initial;
        return improved ? Categories[0] : Categories[2];
    }

    /// <summary>
    /// The positions of the initial (earliest) and latest records dated on or before <paramref name="asOf"/> in a date-sorted
    /// span; null unless there are two such records to compare.
    /// </summary>
    public static (int Initial, int Latest)? InitialAndLatest<T>(ReadOnlySpan<T> sorted, Func<T, DateOnly> date, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(date);
        var latest = -1;
        for (var i = 0; i < sorted.Length && date(sorted[i]) <= asOf; i++)
        {
            latest = i;
        }

        return latest >= 1 ? (0, latest) : null;
    }
}
