namespace DataHub.Core.Kpis;

/// <summary>Improved, unchanged or declined: a person's baseline assessment against their latest, in the measure's better direction.</summary>
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
    /// The positions of the baseline and latest assessments to compare, in a span sorted by date and then
    /// <see cref="AssessmentStages.SameDayOrder"/>. Episodes are
    /// read from the stages: an opening assessment starts one, a closing assessment ends it, and assessments outside an
    /// episode are not used; an episode never closed ends the day before the next one opens. The episode compared is the first that was open on the FS start date or opened within
    /// <paramref name="startWindowDays"/> days after it; its opening assessment is the baseline and its last assessment dated
    /// on or before <paramref name="asOf"/> the latest. Null when there is no such episode, or it has no assessment after its opening yet.
    /// </summary>
    public static (int Baseline, int Latest)? BaselineAndLatest<T>(
        ReadOnlySpan<T> sorted, Func<T, DateOnly> date, Func<T, AssessmentStage> stage, DateOnly fsStart, DateOnly asOf, int startWindowDays)
    {
        ArgumentNullException.ThrowIfNull(date);
        ArgumentNullException.ThrowIfNull(stage);
        var lastStart = fsStart.AddDays(startWindowDays);
        var opening = -1;
        var latest = -1;
        var closed = false;
        for (var i = 0; i < sorted.Length && date(sorted[i]) <= asOf; i++)
        {
            var s = stage(sorted[i]);
            if (s == AssessmentStage.Opening)
            {
                var ended = closed ? date(sorted[latest]) : date(sorted[i]).AddDays(-1);
                if (opening >= 0 && Qualifies(date(sorted[opening]), ended, fsStart, lastStart))
                {
                    break;
                }

                (opening, latest, closed) = (i, i, false);
            }
            else if (opening >= 0 && !closed)
            {
                latest = i;
                closed = s == AssessmentStage.Closing;
            }
        }

        return opening >= 0 && latest > opening && Qualifies(date(sorted[opening]), closed ? date(sorted[latest]) : null, fsStart, lastStart)
            ? (opening, latest)
            : null;
    }

    // Open on the FS start date (opened by then and not closed before it), or opened within the window after it.
    private static bool Qualifies(DateOnly opened, DateOnly? closedOn, DateOnly fsStart, DateOnly lastStart) =>
        opened <= fsStart ? closedOn is null || closedOn >= fsStart : opened <= lastStart;
}
