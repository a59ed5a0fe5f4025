using DataHub.Core.Kpis;
using DataHub.Core.Storage;
using DataHub.Parquet;
using DataHub.Testing;

namespace DataHub.Kpis.Tests.Fixtures;

/// <summary>
/// Writes the boundary fixture as secure mart files, as the ingest pipeline would. Each event feed also carries two rows of a
/// person outside the cohort dated on the first and last day of <see cref="BoundaryFixture.Received"/>: partners send
/// everyone's records, so a delivery reports on those days whatever the cohort did.
/// </summary>
internal static class MartFileWriter
{
    private static readonly PersonKeys Outsider = new(NameDob: "v1:nd-outsider", Attributor: "v1:att-outsider", Local: "v1:sm-outsider");

    private static readonly ParquetColumn[] Tokens =
    [
        new("nhs_token", ParquetType.String), new("upn_token", ParquetType.String), new("name_dob_token", ParquetType.String),
        new("attributor_token", ParquetType.String), new("local_token", ParquetType.String),
    ];

    /// <summary>Writes every feed of the fixture (police only when <paramref name="withPolice"/>) as one batch.</summary>
    public static async Task WriteAsync(IObjectStore store, BoundaryFixture f, string quarter = "2018Q3", string batch = "b1", string? policeKeyVersion = null, bool withPolice = true)
    {
        var (from, to) = BoundaryFixture.Received;
        await Write(store, "csc-people", "csc", quarter, batch, null,
            [S("family_key"), S("referral_key"), I("birth_year"), I("birth_month"), S("sex"), S("relationship"), D("fs_start_date"), D("fs_end_date"), S("fs_team"), B("uasc"), B("cwd"), B("worked_with")],
            f.People.Select(p => ((PersonKeys?)p.Keys, new object?[] { p.FamilyKey, p.ReferralKey, p.BirthYear, p.BirthMonth, p.Sex, p.Relationship, p.FsStartDate, p.FsEndDate, p.FsTeam, p.Uasc, p.Cwd, p.WorkedWith })));
        await Write(store, "csc-cp-plans", "csc", quarter, batch, null, [S("plan_key"), D("start_date"), D("end_date")],
            f.Plans.Select(p => ((PersonKeys?)p.Keys, new object?[] { p.PlanKey, p.StartDate, p.EndDate })));
        await Write(store, "csc-cla-periods", "csc", quarter, batch, null, [S("period_key"), D("start_date"), D("end_date")],
            f.Periods.Select(p => ((PersonKeys?)p.Keys, new object?[] { p.PeriodKey, p.StartDate, p.EndDate })));
        if (withPolice)
        {
            await WriteIncidentsAsync(store, [.. f.Incidents, Incident("O1", from), Incident("O2", to)], batch, quarter, policeKeyVersion);
        }

        await Write(store, "health-aggregates", "icb", quarter, batch, null,
            [S("quarter"), S("cohort"), S("age_group"), S("measure"), I("cohort_people"), I("people_with_event"), I("events")],
            f.Health.Select(h => ((PersonKeys?)null, new object?[] { h.Quarter, h.Cohort, h.AgeGroup, h.Measure, h.CohortPeople, h.PeopleWithEvent, h.Events })));
        await Write(store, "substance-misuse-episodes", "substance-misuse", quarter, batch, null,
            [S("sex"), D("assessment_date"), S("assessment_outcome"), D("treatment_start_date"), D("closure_date"), S("closure_reason")],
            f.Episodes.Select(e => ((PersonKeys?)e.Keys, new object?[] { "U", e.AssessmentDate, e.AssessmentOutcome, e.TreatmentStartDate, e.ClosureDate, e.ClosureReason })));
        await Write(store, "substance-misuse-tops", "substance-misuse", quarter, batch, null,
            [S("sex"), D("form_date"), S("stage"), I("substance_use_days"), I("psychological_wellbeing"), I("physical_health"), I("quality_of_life"), I("paid_work_days")],
            f.Tops.Concat([new(Outsider, from, "start", 1, 1, 1, 1, 1), new(Outsider, to, "exit", 1, 1, 1, 1, 1)])
                .Select(t => ((PersonKeys?)t.Keys, new object?[] { "U", t.FormDate, t.Stage, t.SubstanceUseDays, t.PsychologicalWellbeing, t.PhysicalHealth, t.QualityOfLife, t.PaidWorkDays })));
        await WriteAttendanceAsync(store, [.. f.Attendance, new(Outsider, "100001", from, from, 2, 0, 0), new(Outsider, "100001", to, to, 2, 0, 0)], batch, quarter);
        await Write(store, "da-programmes", "da-programmes", quarter, batch, null,
            [S("sex"), S("programme"), S("role"), D("start_date"), D("end_date"), S("outcome")],
            f.Programmes.Select(p => ((PersonKeys?)p.Keys, new object?[] { "U", p.Programme, p.Role, p.StartDate, p.EndDate, p.Outcome })));
        await Write(store, "mental-health-scores", "mental-health", quarter, batch, null,
            [S("sex"), S("instrument"), S("stage"), D("score_date"), I("score")],
            f.Scores.Concat([new(Outsider, "PHQ9", "initial", from, 5), new(Outsider, "PHQ9", "end", to, 5)])
                .Select(s => ((PersonKeys?)s.Keys, new object?[] { "U", s.Instrument, s.Stage, s.ScoreDate, s.Score })));
    }

    /// <summary>Writes police incidents as one batch (one delivery).</summary>
    public static Task WriteIncidentsAsync(IObjectStore store, IEnumerable<DaIncidentRow> rows, string batch, string quarter = "2018Q3", string? keyVersion = null) =>
        Write(store, "police-da-incidents", "police", quarter, batch, keyVersion,
            [S("incident_id"), D("incident_date"), S("role"), S("sex"), B("crime"), B("marac_referral")],
            rows.Select(i => ((PersonKeys?)Revision(i.Keys, keyVersion), new object?[] { i.IncidentId, i.IncidentDate, i.Role, "U", i.Crime, i.MaracReferral })));

    /// <summary>Writes school attendance as one batch (one delivery).</summary>
    public static Task WriteAttendanceAsync(IObjectStore store, IEnumerable<AttendanceRow> rows, string batch, string quarter = "2018Q3") =>
        Write(store, "school-attendance", "schools", quarter, batch, null,
            [S("school_urn"), D("period_start"), D("period_end"), I("possible_sessions"), I("authorised_absence_sessions"), I("unauthorised_absence_sessions")],
            rows.Select(a => ((PersonKeys?)a.Keys, new object?[] { a.SchoolUrn, a.PeriodStart, a.PeriodEnd, a.PossibleSessions, a.AuthorisedAbsenceSessions, a.UnauthorisedAbsenceSessions })));

    /// <summary>Writes health aggregate rows as one batch (one ICB delivery), its tokens' key version <paramref name="keyVersion"/> (default v1).</summary>
    public static Task WriteHealthAsync(IObjectStore store, IEnumerable<HealthAggregateRow> rows, string batch, string quarter = "2018Q3", string? keyVersion = null) =>
        Write(store, "health-aggregates", "icb", quarter, batch, keyVersion,
            [S("quarter"), S("cohort"), S("age_group"), S("measure"), I("cohort_people"), I("people_with_event"), I("events")],
            rows.Select(h => ((PersonKeys?)null, new object?[] { h.Quarter, h.Cohort, h.AgeGroup, h.Measure, h.CohortPeople, h.PeopleWithEvent, h.Events })));

    /// <summary>An incident of the outsider on the day: it marks the day as reported on, and links to no one.</summary>
    public static DaIncidentRow Incident(string id, DateOnly day) => new(Outsider, id, day, "victim", true, false);

    private static PersonKeys Revision(PersonKeys keys, string? version) => version is null ? keys : new PersonKeys(
        keys.Nhs?.Replace("v1:", version + ":", StringComparison.Ordinal), keys.Upn?.Replace("v1:", version + ":", StringComparison.Ordinal),
        keys.NameDob?.Replace("v1:", version + ":", StringComparison.Ordinal), keys.Attributor?.Replace("v1:", version + ":", StringComparison.Ordinal),
        keys.Local?.Replace("v1:", version + ":", StringComparison.Ordinal));

    private static ParquetColumn S(string name) => new(name, ParquetType.String);

    private static ParquetColumn I(string name) => new(name, ParquetType.Int32);

    private static ParquetColumn D(string name) => new(name, ParquetType.Date);

    private static ParquetColumn B(string name) => new(name, ParquetType.Boolean);

    private static async Task Write(IObjectStore store, string feed, string partner, string quarter, string batch, string? keyVersion,
        ParquetColumn[] fields, IEnumerable<(PersonKeys? Keys, object?[] Values)> rows)
    {
        var person = feed != "health-aggregates";
        ParquetColumn[] columns = [new("batch_id", ParquetType.String, false), new("source_line", ParquetType.Int64, false), .. person ? Tokens : [], .. fields];
        var metadata = new Dictionary<string, string>
        {
            ["datahub.batch_id"] = batch, ["datahub.partner"] = partner, ["datahub.feed"] = feed, ["datahub.key_version"] = keyVersion ?? "v1",
            ["datahub.rules_version"] = "test",
        };
        using var buffer = new MemoryStream();
        var line = 2L;
        await using (var writer = await ParquetWriter.CreateAsync(buffer, new ParquetSchema(columns), new ParquetWriterOptions { Metadata = metadata }))
        {
            foreach (var (keys, values) in rows)
            {
                writer.Set(0, batch);
                writer.Set(1, line++);
                var c = 2;
                if (person)
                {
                    writer.Set(c++, keys!.Nhs);
                    writer.Set(c++, keys.Upn);
                    writer.Set(c++, keys.NameDob);
                    writer.Set(c++, keys.Attributor);
                    writer.Set(c++, keys.Local);
                }

                foreach (var v in values)
                {
                    writer.SetValue(c++, v);
                }

                await writer.EndRowAsync();
            }

            await writer.FinishAsync();
        }

        await MartCommits.WriteAsync(store, feed, partner, quarter, batch, buffer.ToArray(), line - 2);
    }
}
