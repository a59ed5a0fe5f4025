namespace DataHub.Core.Kpis;

/// <summary>
/// The days a quantity reads or a published value covers, for a cohort and quarter. The 12 months before FS start are the
/// 365 days before each person's FS start date; the 12 months after are the 365 days from it (equal windows); over a cohort
/// they run from its window's first FS start date to its last.
/// </summary>
public enum KpiWindow
{
    /// <summary>The quarter itself.</summary>
    Quarter,

    /// <summary>The 365 days ending on the quarter's last day.</summary>
    TwelveMonthsToQuarterEnd,

    /// <summary>From FS start to the quarter's last day.</summary>
    SinceFsStart,

    /// <summary>The 365 days before FS start.</summary>
    TwelveMonthsBeforeFs,

    /// <summary>The 365 days from FS start; complete once 364 days have passed after the cohort's last FS start date.</summary>
    TwelveMonthsAfterFs,

    /// <summary>Both fixed windows: a comparison of the 12 months after FS start with the 12 months before.</summary>
    TwelveMonthsBeforeAndAfterFs,
}

/// <summary>The dates and names of <see cref="KpiWindow"/>s.</summary>
public static class KpiWindows
{
    /// <summary>Days in each of the fixed windows before and after FS start.</summary>
    public const int FixedWindowDays = 365;

    /// <summary>The name published in kpi_values and kpi_definitions.</summary>
    public static string ToText(this KpiWindow window) => window switch
    {
        KpiWindow.Quarter => "quarter",
        KpiWindow.TwelveMonthsToQuarterEnd => "12m_to_quarter_end",
        KpiWindow.SinceFsStart => "fs_start_to_quarter_end",
        KpiWindow.TwelveMonthsBeforeFs => "12m_before_fs",
        KpiWindow.TwelveMonthsAfterFs => "12m_after_fs",
        _ => "12m_before_and_after_fs",
    };

    /// <summary>The first and last day the window covers for the cohort in the quarter (over all of the cohort's FS start dates).</summary>
    public static (DateOnly From, DateOnly To) Days(this KpiWindow window, CohortDefinition cohort, Quarter quarter)
    {
        ArgumentNullException.ThrowIfNull(cohort);
        return window switch
        {
            KpiWindow.Quarter => (quarter.Start, quarter.End),
            KpiWindow.TwelveMonthsToQuarterEnd => (quarter.End.AddDays(1 - FixedWindowDays), quarter.End),
            KpiWindow.SinceFsStart => (cohort.WindowStart < quarter.Start ? cohort.WindowStart : quarter.Start, quarter.End),
            KpiWindow.TwelveMonthsBeforeFs => (cohort.WindowStart.AddDays(-FixedWindowDays), cohort.WindowEnd.AddDays(-1)),
            KpiWindow.TwelveMonthsAfterFs => (cohort.WindowStart, cohort.WindowEnd.AddDays(FixedWindowDays - 1)),
            _ => (cohort.WindowStart.AddDays(-FixedWindowDays), cohort.WindowEnd.AddDays(FixedWindowDays - 1)),
        };
    }

    /// <summary>True when every person's window has closed by the quarter's last day (only the after-FS windows can be open).</summary>
    public static bool IsComplete(this KpiWindow window, CohortDefinition cohort, Quarter quarter) =>
        window is not (KpiWindow.TwelveMonthsAfterFs or KpiWindow.TwelveMonthsBeforeAndAfterFs) || Days(window, cohort, quarter).To <= quarter.End;

    /// <summary>The person's 365 days before FS start: from FS start − 365 to the day before FS start.</summary>
    public static (DateOnly From, DateOnly To) BeforeFs(DateOnly fsStart) => (fsStart.AddDays(-FixedWindowDays), fsStart.AddDays(-1));

    /// <summary>The person's 365 days from FS start: from FS start to FS start + 364.</summary>
    public static (DateOnly From, DateOnly To) AfterFs(DateOnly fsStart) => (fsStart, fsStart.AddDays(FixedWindowDays - 1));
}
