using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>A cohort: the families whose FS start date (toolkit R03) falls within the window, inclusive.</summary>
/// <param name="Name">The cohort's label, as published and as sent to partners that aggregate for us (health).</param>
/// <param name="WindowStart">The first FS start date in the cohort.</param>
/// <param name="WindowEnd">The last FS start date in the cohort.</param>
public sealed record CohortDefinition(string Name, DateOnly WindowStart, DateOnly WindowEnd)
{
    /// <summary>The toolkit's six cohorts: Oct–Dec 2017, Jan–Mar 2018, Oct–Dec 2018, Jan–Mar 2019, Oct–Dec 2019, Jan–Mar 2020.</summary>
    public static IReadOnlyList<CohortDefinition> ToolkitDefaults { get; } =
    [
        new("C1", new DateOnly(2017, 10, 1), new DateOnly(2017, 12, 31)),
        new("C2", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31)),
        new("C3", new DateOnly(2018, 10, 1), new DateOnly(2018, 12, 31)),
        new("C4", new DateOnly(2019, 1, 1), new DateOnly(2019, 3, 31)),
        new("C5", new DateOnly(2019, 10, 1), new DateOnly(2019, 12, 31)),
        new("C6", new DateOnly(2020, 1, 1), new DateOnly(2020, 3, 31)),
    ];

    /// <summary>
    /// The comparison key of a cohort label, the one the ingest matches a sent label by (<see cref="HeaderMatcher.Normalise"/>:
    /// case, spaces, hyphens and underscores ignored), so <c>c1</c>, <c>C 1</c> and <c>C-1</c> are all <c>C1</c>. The rollup
    /// reads stored labels by it too: a row stored before the ingest matched labels is read as the ingest would read it today.
    /// </summary>
    public static string LabelKey(string label)
    {
        ArgumentNullException.ThrowIfNull(label);
        return HeaderMatcher.Normalise(label);
    }

    /// <summary>True when <paramref name="label"/>, sent or stored, names this cohort (compared by <see cref="LabelKey"/>).</summary>
    public bool IsLabelled(string label) => string.Equals(LabelKey(label), LabelKey(Name), StringComparison.Ordinal);

    /// <summary>True when an FS start date falls in the window.</summary>
    public bool Includes(DateOnly fsStart) => fsStart >= WindowStart && fsStart <= WindowEnd;

    /// <summary>The first quarter reported for the cohort: the one its window opens in.</summary>
    public Quarter FirstQuarter => Quarter.Of(WindowStart);
}
