using DataHub.Core.Kpis;
using DataHub.Core.Linkage;

namespace DataHub.Kpis.Tests.Fixtures;

/// <summary>
/// A dozen hand-built families whose dates sit on the KPI boundaries. Cohort "T" = FS starts 1 Jan–31 Mar 2018.
/// Tokens are fake ("v1:{key}-{person}"): the rollup only compares them.
/// </summary>
/// <remarks>
/// Families (team) and people; WW = adult being worked with:
///   F01 North fs 2018-01-15: A1 child b.2010-03; A2 adult b.1980-06 WW
///   F02 South fs 2018-02-01: B1 child b.2012-01, B2 child b.2014-05 (B1 and B2 share an attributor token); B3 adult b.1990-01 WW; B4 adult b.1991-02 WW
///   F03 North fs 2018-02-01: C1 b.2013-03 (4 on 31 Aug 2017), C2 b.2012-08 (5), C3 b.2001-09 (15), C4 b.2001-08 (16); C5 adult b.1975-11 (not WW)
///   F04 South fs 2018-01-10: D1 b.1985-05, D2 b.1986-07, D3 b.1970-01, adults WW
///   F05 North fs 2018-02-01: E1 adult b.1988-04 WW (also in F06); E2 child b.2016-02
///   F06 South fs 2018-03-01: E1 again; E3 child b.2015-06, CWD
///   F07 South fs 2018-03-10: G1 adult b.1992-09 WW; G2 child b.2009-12, UASC
///   F08 North fs 2018-03-20: H1 child b.2005-07
///   F09 South fs 2018-01-05: I1 b.1999-12 (18: adult, not WW); I2 b.2000-01 (turns 18 in the FS start month: adult, not WW); I3 b.2000-02 (17: child)
///   F10 North fs 2018-03-31 (last day of the window): J1 child b.2011-11
///   F11 North fs 2018-04-01 (outside the window): K1 child b.2012-06, with a CP plan that must not count
/// Cohort T: 10 families; children A1 B1 B2 C1 C2 C3 C4 E2 E3 G2 H1 I3 J1 = 13; adults A2 B3 B4 C5 D1 D2 D3 E1 G1 I1 I2 = 11.
/// </remarks>
internal sealed class BoundaryFixture
{
    public static readonly CohortDefinition Cohort = new("T", new DateOnly(2018, 1, 1), new DateOnly(2018, 3, 31));

    /// <summary>The days the fixture's event feeds report on when written as marts: every day any quarter from the baseline
    /// year (2017Q1, whose 12 months to its end start in April 2016) to 2018Q3 reads.</summary>
    public static readonly (DateOnly From, DateOnly To) Received = (new DateOnly(2016, 4, 1), new DateOnly(2018, 9, 30));

    public List<CscPersonRow> People { get; } = [];

    public List<CpPlanRow> Plans { get; } = [];

    public List<ClaPeriodRow> Periods { get; } = [];

    public List<DaIncidentRow> Incidents { get; } = [];

    public List<SubstanceMisuseEpisodeRow> Episodes { get; } = [];

    public List<TopsFormRow> Tops { get; } = [];

    public List<AttendanceRow> Attendance { get; } = [];

    public List<DaProgrammeRow> Programmes { get; } = [];

    public List<MentalHealthScoreRow> Scores { get; } = [];

    public List<HealthAggregateRow> Health { get; } = [];

    public BoundaryFixture()
    {
        Person("A1", "F01", 2010, 3, D(2018, 1, 15), "North");
        Person("A2", "F01", 1980, 6, D(2018, 1, 15), "North", workedWith: true);
        Person("B1", "F02", 2012, 1, D(2018, 2, 1), "South", attributor: "v1:att-twins");
        Person("B2", "F02", 2014, 5, D(2018, 2, 1), "South", attributor: "v1:att-twins");
        Person("B3", "F02", 1990, 1, D(2018, 2, 1), "South", workedWith: true);
        Person("B4", "F02", 1991, 2, D(2018, 2, 1), "South", workedWith: true);
        Person("C1", "F03", 2013, 3, D(2018, 2, 1), "North");
        Person("C2", "F03", 2012, 8, D(2018, 2, 1), "North");
        Person("C3", "F03", 2001, 9, D(2018, 2, 1), "North");
        Person("C4", "F03", 2001, 8, D(2018, 2, 1), "North");
        Person("C5", "F03", 1975, 11, D(2018, 2, 1), "North");
        Person("D1", "F04", 1985, 5, D(2018, 1, 10), "South", workedWith: true);
        Person("D2", "F04", 1986, 7, D(2018, 1, 10), "South", workedWith: true);
        Person("D3", "F04", 1970, 1, D(2018, 1, 10), "South", workedWith: true);
        Person("E1", "F05", 1988, 4, D(2018, 2, 1), "North", workedWith: true);
        Person("E2", "F05", 2016, 2, D(2018, 2, 1), "North");
        Person("E1", "F06", 1988, 4, D(2018, 3, 1), "South", workedWith: true);
        Person("E3", "F06", 2015, 6, D(2018, 3, 1), "South", cwd: true);
        Person("G1", "F07", 1992, 9, D(2018, 3, 10), "South", workedWith: true);
        Person("G2", "F07", 2009, 12, D(2018, 3, 10), "South", uasc: true);
        Person("H1", "F08", 2005, 7, D(2018, 3, 20), "North");
        Person("I1", "F09", 1999, 12, D(2018, 1, 5), "South");
        Person("I2", "F09", 2000, 1, D(2018, 1, 5), "South");
        Person("I3", "F09", 2000, 2, D(2018, 1, 5), "South");
        Person("J1", "F10", 2011, 11, D(2018, 3, 31), "North");
        Person("K1", "F11", 2012, 6, D(2018, 4, 1), "North");

        // Child protection plans (csc, linked by person id).
        Plan("A1", D(2017, 6, 1), D(2018, 2, 10));    // open at FS start, closed in Q1 after 254 days
        Plan("B1", D(2016, 9, 1), D(2017, 7, 15));    // ended before FS start
        Plan("B1", D(2018, 7, 15), null);             // new in Q3: 2017-07-15 → 2018-07-15 = 365 days → repeat within 12 and 24 months
        Plan("B2", D(2016, 10, 1), D(2017, 7, 14));
        Plan("B2", D(2018, 7, 15), null);             // new in Q3: 2017-07-14 → 2018-07-15 = 366 days → repeat within 24 months only
        Plan("E3", D(2018, 3, 5), null);              // CWD: left out
        Plan("H1", D(2018, 3, 25), D(2018, 8, 31));   // started after FS start (2018-03-20), no earlier plan
        Plan("K1", D(2018, 5, 1), null);              // family outside the cohort window

        // Periods of care.
        Period("A1", D(2018, 2, 20), null);           // open: 39 days at Q1 end, 222 days at Q3 end
        Period("H1", D(2017, 10, 1), D(2018, 3, 31)); // open on 1 Jan, ends on the Q1 end: 181 days
        Period("G2", D(2018, 1, 1), null);            // UASC: never counted

        // DA incidents (police: name_dob and attributor tokens).
        foreach (var date in new[] { D(2017, 3, 1), D(2017, 6, 1), D(2017, 9, 1), D(2017, 12, 1), D(2018, 5, 1) })
        {
            Incident("A2", date, "victim");
        }

        Incident("A2", D(2017, 10, 1), "other");      // not a party: never counted
        foreach (var date in new[] { D(2018, 2, 10), D(2018, 3, 10), D(2018, 4, 10), D(2018, 5, 10), D(2018, 6, 10) })
        {
            Incident("B3", date, "victim");           // 5 incidents = 4 repeats by Q3
        }

        foreach (var date in new[] { D(2018, 2, 15), D(2018, 3, 15), D(2018, 4, 15), D(2018, 5, 15) })
        {
            Incident("B4", date, "perpetrator");      // 4 incidents = 3 repeats
        }

        Incident("E1", D(2017, 11, 1), "victim");
        Incident("E1", D(2018, 2, 20), "victim");
        Incident("G1", D(2018, 3, 20), "victim", marac: true);
        Incident("C5", D(2018, 2, 5), "victim");      // adult not worked with
        Incidents.Add(new DaIncidentRow(new PersonKeys(NameDob: "v1:nd-stranger", Attributor: "v1:att-stranger"), "X1", D(2018, 2, 5), "victim", true, false));

        // Substance misuse episodes (own client id token; D1 and I1 carry an NHS number, D2 and D3 link by attributor).
        Episodes.Add(new(SmKeys("D1", nhs: true), D(2018, 1, 20), "treatment", D(2018, 1, 25), D(2018, 4, 2), "treatment_completed_drug_free"));
        Episodes.Add(new(SmKeys("D2", nhs: false), D(2018, 1, 12), "treatment", D(2018, 1, 15), D(2018, 4, 1), "treatment_completed_alcohol_free"));
        Episodes.Add(new(SmKeys("D3", nhs: false), D(2018, 2, 1), "no_engagement", null, null, null));
        Episodes.Add(new(SmKeys("D3", nhs: false), D(2018, 2, 15), "treatment", D(2018, 2, 20), D(2018, 3, 20), "incomplete_dropped_out"));
        Episodes.Add(new(SmKeys("I1", nhs: true), D(2018, 1, 6), "treatment", D(2018, 1, 6), D(2018, 2, 1), "treatment_completed_drug_free"));
        Episodes.Add(new(SmKeys("I1", nhs: true), D(2018, 4, 25), "treatment", D(2018, 5, 1), null, null));

        // TOPS forms: substance use days, psychological wellbeing, physical health, quality of life, paid work days.
        Tops.Add(new(SmKeys("D1", nhs: false), D(2018, 1, 25), "start", 20, 8, 10, 9, 0));
        Tops.Add(new(SmKeys("D1", nhs: false), D(2018, 4, 1), "exit", 5, 12, 10, 7, 4));
        Tops.Add(new(SmKeys("D2", nhs: false), D(2018, 1, 15), "start", 10, 10, 10, 10, 10));
        Tops.Add(new(SmKeys("D2", nhs: false), D(2018, 3, 1), "review", 12, 10, 9, 11, 10));
        Tops.Add(new(new PersonKeys(Attributor: "v1:att-twins", Local: "v1:sm-twin"), D(2018, 1, 20), "start", 1, 1, 1, 1, 1));
        Tops.Add(new(new PersonKeys(Attributor: "v1:att-twins", Local: "v1:sm-twin"), D(2018, 3, 20), "review", 9, 9, 9, 9, 9));

        // School attendance (UPN and name_dob); the 2017/18 academic year's ages come from 31 August 2017.
        Term("C1", D(2018, 3, 29), 80, 2, 2);           // aged 4: left out
        Term("C4", D(2018, 3, 29), 110, 4, 20);         // aged 16: left out
        Term("C2", D(2017, 12, 20), 110, 8, 6);         // baseline (before FS start 2018-02-01)
        Term("C3", D(2017, 12, 20), 100, 10, 20);
        Term("C2", D(2018, 3, 29), 100, 5, 3);          // Q1
        Term("C3", D(2018, 3, 29), 120, 10, 12);
        Term("C2", D(2018, 7, 20), 120, 2, 1);          // Q3
        Term("C3", D(2018, 7, 20), 110, 3, 0);

        // DA programmes (name_dob).
        Programme("D1", "victim", D(2018, 2, 1), D(2018, 3, 30), "completed");
        Programme("D2", "perpetrator", D(2018, 2, 15), D(2018, 8, 15), "dropped_out");
        Programme("D3", "victim", D(2018, 7, 1), null, "ongoing");

        // Mental health scores (D1 by NHS number, D2 by name_dob).
        Scores.Add(new(new PersonKeys(Nhs: Token("nhs", "D1")), "PHQ9", "initial", D(2018, 1, 20), 18));
        Scores.Add(new(new PersonKeys(Nhs: Token("nhs", "D1")), "PHQ9", "interim", D(2018, 3, 15), 12));
        Scores.Add(new(new PersonKeys(Nhs: Token("nhs", "D1")), "PHQ9", "end", D(2018, 8, 1), 14));
        Scores.Add(new(new PersonKeys(Nhs: Token("nhs", "D1")), "GAD7", "initial", D(2018, 2, 1), 10));
        Scores.Add(new(new PersonKeys(Nhs: Token("nhs", "D1")), "GAD7", "end", D(2018, 9, 1), 10));
        Scores.Add(new(new PersonKeys(NameDob: Token("nd", "D2")), "GAD7", "initial", D(2018, 2, 1), 8));
        Scores.Add(new(new PersonKeys(NameDob: Token("nd", "D2")), "GAD7", "interim", D(2018, 3, 1), 11));

        // Health aggregates for cohort label T (and one for another cohort, ignored).
        Health.Add(new("2018Q1", "T", "child", "ae_attendances", 12, 3, 5));
        Health.Add(new("2018Q1", "T", "adult", "ae_attendances", 9, 2, 2));
        Health.Add(new("2018Q1", "T", "child", "emergency_admissions", 12, 1, 1));
        Health.Add(new("2018Q1", "T", "adult", "emergency_admissions", 9, 1, null));
        Health.Add(new("2018Q1", "X", "child", "ae_attendances", 50, 10, 10));
        Health.Add(new("2018Q3", "T", "child", "ae_attendances", 12, 4, 6));
    }

    public static string Token(string key, string person) => $"v1:{key}-{person}";

    /// <summary>Builds the cohort index, links every record and returns the linked inputs.</summary>
    public (KpiInputs Inputs, LinkedInputsBuilder Builder) Link()
    {
        var index = CohortIndex.Build(People);
        var builder = new LinkedInputsBuilder(index);
        People.ForEach(builder.AddCohortRow);
        Plans.ForEach(r => builder.Add(r));
        Periods.ForEach(r => builder.Add(r));
        Incidents.ForEach(r => builder.Add(r));
        Episodes.ForEach(r => builder.Add(r));
        Tops.ForEach(r => builder.Add(r));
        Attendance.ForEach(r => builder.Add(r));
        Programmes.ForEach(r => builder.Add(r));
        Scores.ForEach(r => builder.Add(r));
        Health.ForEach(builder.Add);
        return (builder.Build(), builder);
    }

    private static DateOnly D(int y, int m, int d) => new(y, m, d);

    private static PersonKeys SmKeys(string person, bool nhs) =>
        new(Nhs: nhs ? Token("nhs", person) : null, Attributor: Token("att", person), Local: Token("sm", person));

    private void Person(string id, string family, int by, int bm, DateOnly fs, string team, bool workedWith = false, bool uasc = false, bool cwd = false, string? attributor = null)
    {
        var child = PersonAge.IsChildOn(by, bm, fs);
        var keys = new PersonKeys(Token("nhs", id), child ? Token("upn", id) : null, Token("nd", id), attributor ?? Token("att", id), Token("csc", id));
        People.Add(new CscPersonRow(keys, family, child ? "R-" + family : null, by, bm, "U", child ? "child" : "parent", fs, null, team, uasc, cwd, workedWith));
    }

    private void Plan(string person, DateOnly start, DateOnly? end) =>
        Plans.Add(new CpPlanRow(new PersonKeys(Local: Token("csc", person)), "P-" + person + start.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture), start, end));

    public void Period(string person, DateOnly start, DateOnly? end) =>
        Periods.Add(new ClaPeriodRow(new PersonKeys(Local: Token("csc", person)), "L-" + person, start, end));

    private void Incident(string person, DateOnly date, string role, bool marac = false) =>
        Incidents.Add(new DaIncidentRow(new PersonKeys(NameDob: Token("nd", person), Attributor: Token("att", person)), "I-" + person + date.DayNumber, date, role, true, marac));

    private void Term(string person, DateOnly end, int possible, int authorised, int unauthorised) =>
        Attendance.Add(new AttendanceRow(new PersonKeys(Upn: Token("upn", person), NameDob: Token("nd", person)), "100001", end.AddDays(-80), end, possible, authorised, unauthorised));

    private void Programme(string person, string role, DateOnly start, DateOnly? end, string outcome) =>
        Programmes.Add(new DaProgrammeRow(new PersonKeys(NameDob: Token("nd", person), Attributor: Token("att", person)), "Freedom", role, start, end, outcome));
}
