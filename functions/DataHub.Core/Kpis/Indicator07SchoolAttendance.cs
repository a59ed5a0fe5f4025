namespace DataHub.Core.Kpis;

/// <summary>Indicator 7: absence rates of cohort children of compulsory school age, from summed sessions (I15–I19), with a 12-month before/after view.</summary>
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
    public IReadOnlyList<QuantityDefinition> Quantities { get; } =
    [
        new(Pupils, QuantityKind.Count), new(Unauthorised, QuantityKind.Sum), new(Authorised, QuantityKind.Sum), new(Possible, QuantityKind.Sum),
        new(PupilsBefore, QuantityKind.Count), new(AbsentBefore, QuantityKind.Sum), new(PossibleBefore, QuantityKind.Sum),
        new(PupilsAfter, QuantityKind.Count), new(AbsentAfter, QuantityKind.Sum), new(PossibleAfter, QuantityKind.Sum),
    ];

    /// <inheritdoc />
    public IReadOnlyList<MeasureDefinition> Measures { get; } =
    [
        new("KPI07", "pupils", MeasureUnit.Count, Pupils, null, null,
            "Pupils with attendance in the quarter",
            "Cohort children aged 5–15 on the 31 August before the academic year with at least one attendance period ending in the quarter.",
            "I17", Feed, BetterDirection.Neither),
        new("KPI07", "unauthorised_absence_rate", MeasureUnit.SessionRate, Unauthorised, Possible, Pupils,
            "Unauthorised absence rate",
            "Unauthorised absence sessions (I15) over possible sessions (I17), each summed over the pupils' periods ending in the quarter (I18); never an average of percentages.",
            "I15 I17 I18", Feed, BetterDirection.Lower),
        new("KPI07", "authorised_absence_rate", MeasureUnit.SessionRate, Authorised, Possible, Pupils,
            "Authorised absence rate",
            "Authorised absence sessions (I16) over possible sessions (I17), summed as above (I19).",
            "I16 I17 I19", Feed, BetterDirection.Lower),
        new("KPI07", "overall_absence_rate_12m_before_fs", MeasureUnit.SessionRate, AbsentBefore, PossibleBefore, PupilsBefore,
            "Overall absence rate in the 12 months before FS start",
            "Authorised plus unauthorised sessions over possible sessions for periods ending in the 365 days before each child's FS start (the baseline).",
            "I15 I16 I17", Feed, BetterDirection.Lower),
        new("KPI07", "overall_absence_rate_12m_after_fs", MeasureUnit.SessionRate, AbsentAfter, PossibleAfter, PupilsAfter,
            "Overall absence rate in the 12 months after FS start (to the quarter end)",
            "As the baseline, for periods ending from FS start up to 365 days after it and no later than the quarter end.",
            "I15 I16 I17", Feed, BetterDirection.Lower),
    ];

    /// <inheritdoc />
    public void Compute(QuarterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var member in context.Members)
        {
            if (!member.IsChild)
            {
                continue;
            }

            var person = context.Inputs.People[member.Person];
            var inQuarter = default(SessionTotals);
            var before = default(SessionTotals);
            var after = default(SessionTotals);
            foreach (var period in context.Inputs.Attendance.For(member.Person))
            {
                if (!PersonAge.IsCompulsorySchoolAge(person.BirthYear, person.BirthMonth, period.PeriodEnd))
                {
                    continue;
                }

                if (context.Quarter.Contains(period.PeriodEnd))
                {
                    inQuarter = inQuarter.Add(period);
                }

                var sinceFs = period.PeriodEnd.DayNumber - member.FsStart.DayNumber;
                if (sinceFs is >= -365 and < 0)
                {
                    before = before.Add(period);
                }
                else if (sinceFs is >= 0 and <= 365 && period.PeriodEnd <= context.QuarterEnd)
                {
                    after = after.Add(period);
                }
            }

            context.Count(Pupils, member, inQuarter.Periods > 0);
            context.Add(Unauthorised, member, inQuarter.Unauthorised);
            context.Add(Authorised, member, inQuarter.Authorised);
            context.Add(Possible, member, inQuarter.Possible);
            context.Count(PupilsBefore, member, before.Periods > 0);
            context.Add(AbsentBefore, member, before.Authorised + before.Unauthorised);
            context.Add(PossibleBefore, member, before.Possible);
            context.Count(PupilsAfter, member, after.Periods > 0);
            context.Add(AbsentAfter, member, after.Authorised + after.Unauthorised);
            context.Add(PossibleAfter, member, after.Possible);
        }
    }

    /// <summary>Sessions summed over periods.</summary>
    public readonly record struct SessionTotals(int Periods, long Possible, long Authorised, long Unauthorised)
    {
        /// <summary>These totals plus one period.</summary>
        public SessionTotals Add(LinkedAttendance period) =>
            new(Periods + 1, Possible + period.Possible, Authorised + period.Authorised, Unauthorised + period.Unauthorised);
    }
}
