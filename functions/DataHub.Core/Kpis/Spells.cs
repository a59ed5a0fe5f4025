namespace DataHub.Core.Kpis;

/// <summary>The date rules for child protection plans and periods of care (docs/kpi-definitions.md, KPI01–06).</summary>
public static class Spells
{
    /// <summary>Started on or before the quarter end and did not end before the quarter start.</summary>
    public static bool ActiveIn(LinkedSpell spell, Quarter quarter) =>
        spell.Start <= quarter.End && (spell.End is null || spell.End.Value >= quarter.Start);

    /// <summary>Part of the FS intervention: had not ended before the FS start date.</summary>
    public static bool DuringFs(LinkedSpell spell, DateOnly fsStart) => spell.End is null || spell.End.Value >= fsStart;

    /// <summary>Open on the date: started on or before it and not ended before it.</summary>
    public static bool OpenOn(LinkedSpell spell, DateOnly date) => spell.Start <= date && (spell.End is null || spell.End.Value >= date);

    /// <summary>Ended within the quarter.</summary>
    public static bool ClosedIn(LinkedSpell spell, Quarter quarter) => spell.End is { } end && quarter.Contains(end);

    /// <summary>Days from start to end, or to the quarter end while still open at it.</summary>
    public static int DurationDays(LinkedSpell spell, Quarter quarter)
    {
        var until = spell.End is { } end && end <= quarter.End ? end : quarter.End;
        return until.DayNumber - spell.Start.DayNumber;
    }

    /// <summary>
    /// Adds a member's plans or periods that were active in the quarter and part of FS to the closed-in-quarter and
    /// open-at-quarter-end counts and day totals (toolkit I06, I23, I24).
    /// </summary>
    public static void AddDurations(QuarterContext context, CohortMember member, ReadOnlySpan<LinkedSpell> spells, string closedCount, string closedDays, string openCount, string openDays)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(member);
        long closed = 0, closedTotal = 0, open = 0, openTotal = 0;
        foreach (var spell in spells)
        {
            if (!DuringFs(spell, member.FsStart) || !ActiveIn(spell, context.Quarter))
            {
                continue;
            }

            if (ClosedIn(spell, context.Quarter))
            {
                closed++;
                closedTotal += DurationDays(spell, context.Quarter);
            }
            else
            {
                open++;
                openTotal += DurationDays(spell, context.Quarter);
            }
        }

        context.Add(closedCount, member, closed);
        context.Add(closedDays, member, closedTotal);
        context.Add(openCount, member, open);
        context.Add(openDays, member, openTotal);
    }
}
