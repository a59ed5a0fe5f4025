using DataHub.Core.Feeds;

namespace DataHub.Core.Kpis;

/// <summary>
/// Indicator 7: absence rates of cohort children of compulsory school age, from summed sessions (I15–I19): per quarter, from
/// the baseline year before FS start on, and over the 12 months before and the 12 months after each child's FS start.
/// </summary>
public sealed class Indicator07SchoolAttendance : IKpiIndicator
{
    private const string Pupils = "KPI07.pupils";
    private const string Unauthorised = "KPI07.unauthorised_sessions";
    private const string Authorised = "KPI07.authorised_sessions";
    private const string Possible = "KPI07.possible_sessions";
    private const string PupilsBefore = "KPI07.pupils_12m_before_fs";
    private const string AbsentBefore = "KPI07.absence_sessions_12m_before_fs";
    private const string PossibleBefore = "KPI07.possible_sessions_12m_before_fs";
    private const string PupilsAfter = "KPI07.pupils_12m_after_fs";
    private const string AbsentAfter = "KPI07.absence_sessions_12m_after_fs";
    private const string PossibleAfter = "KPI07.possible_sessions_12m_after_fs";
    private const string Feed = "school-attendance, csc-people";

    /// <inheritdoc />
    public string Code => "KPI07";

    /// <inheritdoc />
    public string Title => "School attendance";

    /// <inheritdoc />
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        Quarterly(Pupils, QuantityKind.Count), Quarterly(Unauthorised, QuantityKind.Sum), Quarterly(Authorised, QuantityKind.Sum), Quarterly(Possible, QuantityKind.Sum),
        Window(PupilsBefore, QuantityKind.Count, KpiWindow.TwelveMonthsBeforeFs), Window(AbsentBefore, QuantityKind.Sum, KpiWindow.TwelveMonthsBeforeFs),
        Window(PossibleBefore, QuantityKind.Sum, KpiWindow.TwelveMonthsBeforeFs),
        Window(PupilsAfter, QuantityKind.Count, KpiWindow.TwelveMonthsAfterFs), Window(AbsentAfter, QuantityKind.Sum, KpiWindow.TwelveMonthsAfterFs),
        Window(PossibleAfter, QuantityKind.Sum, KpiWindow.TwelveMonthsAfterFs),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI07", "pupils", MeasureUnit.Count, Pupils, null, null,
            "Pupils with attendance in the quarter",
            "Cohort children aged 5–15 on the 31 August before the academic year with at least one attendance period ending in the quarter.",
            "I17", Feed, BetterDirection.Neither) { Baseline = true },
        new("KPI07", "unauthorised_absence_rate", MeasureUnit.SessionRate, Unauthorised, Possible, Pupils,
            "Unauthorised absence rate",
            "Unauthorised absence sessions (I15) over possible sessions (I17), each summed over the pupils' periods ending in the quarter (I18); never an average of percentages.",
            "I15 I17 I18", Feed, BetterDirection.Lower) { Baseline = true },
        new("KPI07", "authorised_absence_rate", MeasureUnit.SessionRate, Authorised, Possible, Pupils,
            "Authorised absence rate",
            "Authorised absence sessions (I16) over possible sessions (I17), summed as above (I19).",
            "I16 I17 I19", Feed, BetterDirection.Lower) { Baseline = true },
        new("KPI07", "overall_absence_rate_12m_before_fs", MeasureUnit.SessionRate, AbsentBefore, PossibleBefore, PupilsBefore,
            "Overall absence rate in the 12 months before FS start",
            "Authorised plus unauthorised sessions over possible sessions for periods ending in the 365 days before each child's FS start (the baseline).",
            "I15 I16 I17", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsBeforeFs },
        new("KPI07", "overall_absence_rate_12m_after_fs", MeasureUnit.SessionRate, AbsentAfter, PossibleAfter, PupilsAfter,
            "Overall absence rate in the 12 months after FS start",
            "As the baseline, for periods ending in the 365 days from each child's FS start; published once every cohort child's 365 days have passed.",
            "I15 I16 I17", Feed, BetterDirection.Lower) { Window = KpiWindow.TwelveMonthsAfterFs },
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (member.IsChild)
            {
                var inQuarter = Sessions(context, member, context.QuarterStart, context.QuarterEnd);
                context.Count(Pupils, member, inQuarter.Periods > 0);
                context.Add(Unauthorised, member, inQuarter.Unauthorised);
                context.Add(Authorised, member, inQuarter.Authorised);
                context.Add(Possible, member, inQuarter.Possible);
            }
        }
    }

    /// <inheritdoc />
    public void ComputeWindows(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (!member.IsChild)
            {
                continue;
            }

            var (beforeFrom, beforeTo) = KpiWindows.BeforeFs(member.FsStart);
            var before = Sessions(context, member, beforeFrom, beforeTo);
            context.Count(PupilsBefore, member, before.Periods > 0);
            context.Add(AbsentBefore, member, before.Authorised + before.Unauthorised);
            context.Add(PossibleBefore, member, before.Possible);
            var (afterFrom, afterTo) = KpiWindows.AfterFs(member.FsStart);
            var after = Sessions(context, member, afterFrom, afterTo);
            context.Count(PupilsAfter, member, after.Periods > 0);
            context.Add(AbsentAfter, member, after.Authorised + after.Unauthorised);
            context.Add(PossibleAfter, member, after.Possible);
        }
    }

    /// <summary>Sessions of the child's periods of compulsory school age ending from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private static SessionTotals Sessions(QuarterContext context, CohortMember member, DateOnly from, DateOnly to)
    {
        var person = context.Inputs.People[member.Person];
        var totals = default(SessionTotals);
        foreach (var period in context.Inputs.Attendance.For(member.Person))
        {
            if (period.PeriodEnd > to)
            {
                break; // the series is in period end order
            }

            if (period.PeriodEnd >= from && PersonAge.IsCompulsorySchoolAge(person.BirthYear, person.BirthMonth, period.PeriodEnd))
            {
                totals = totals.Add(period);
            }
        }

        return totals;
    }

    private static QuantityDefinition Quarterly(string id, QuantityKind kind) => new(id, kind, Feed: FeedCatalog.SchoolAttendance);

    private static QuantityDefinition Window(string id, QuantityKind kind, KpiWindow window) =>
        new(id, kind, PerCohort: true, Feed: FeedCatalog.SchoolAttendance, Reads: window);

    /// <summary>Sessions summed over periods.</summary>
    public readonly record struct SessionTotals(int Periods, long Possible, long Authorised, long Unauthorised)
    {
        /// <summary>These totals plus one period.</summary>
        public SessionTotals Add(LinkedAttendance period) =>
            new(Periods + 1, Possible + period.Possible, Authorised + period.Authorised, Unauthorised + period.Unauthorised);
    }
}
