using DataHub.Core.Kpis;
using DataHub.Core.Storage;
using DataHub.Parquet;

namespace DataHub.Benchmarks;

/// <summary>
/// A seeded county-scale synthetic set written straight into the secure marts (contract C6 layout, one file per feed and
/// quarter): families in and out of the toolkit's cohort windows, 5 years of attendance, incidents, TOPS forms and the rest.
/// Tokens are random 64-hex strings per person and key; about a tenth of incident rows belong to nobody in the cohort.
/// </summary>
internal static class RollupMarts
{
    private static readonly DateOnly DataStart = new(2016, 10, 1);
    private static readonly DateOnly DataEnd = new(2021, 9, 30);
    private static readonly string[] Teams = ["North", "South", "East", "West", "Central", "Valley", "Coast", "Downs"];
    private static readonly string[] Successful = ["treatment_completed_drug_free", "treatment_completed_alcohol_free"];
    private static readonly string[] Unsuccessful = ["incomplete_dropped_out", "transferred_not_in_custody", "incomplete_other"];

    /// <summary>Row counts written.</summary>
    public sealed record Counts(int People, long Attendance, long Incidents, long Tops, long Total, int Files);

    private sealed record Person(int Id, int BirthYear, int BirthMonth, bool Child, string[] Tokens);

    public static async Task<Counts> WriteAsync(IObjectStore store, int families, int seed, CancellationToken cancellationToken)
    {
        var random = new Random(seed);
        var people = new List<Person>();
        var allocations = new List<(Person Who, string Family, DateOnly Fs, string Team, bool WorkedWith)>();
        Person NewPerson(bool child)
        {
            var year = child ? random.Next(2003, 2018) : random.Next(1965, 1999);
            var p = new Person(people.Count, year, random.Next(1, 13), child, Enumerable.Range(0, 6).Select(_ => Token(random)).ToArray());
            people.Add(p);
            return p;
        }

        var cohorts = CohortDefinition.ToolkitDefaults;
        for (var f = 0; f < families; f++)
        {
            DateOnly fs;
            if (random.NextDouble() < 0.75)
            {
                var c = cohorts[random.Next(cohorts.Count)];
                fs = c.WindowStart.AddDays(random.Next(c.WindowEnd.DayNumber - c.WindowStart.DayNumber + 1));
            }
            else
            {
                fs = DataStart.AddDays(random.Next(DataEnd.DayNumber - DataStart.DayNumber - 365));
            }

            var family = "F" + f.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
            var team = Teams[random.Next(Teams.Length)];
            var adults = random.NextDouble() < 0.7 ? 2 : 1;
            var childCount = 1 + random.Next(3) + (random.NextDouble() < 0.3 ? 1 : 0);
            for (var a = 0; a < adults; a++)
            {
                var reuse = a == 1 && people.Count > 100 && random.NextDouble() < 0.02;
                var who = reuse ? people[random.Next(people.Count - 50)] : NewPerson(child: false);
                allocations.Add((who.Child ? NewPerson(false) : who, family, fs, team, random.NextDouble() < 0.8));
            }

            for (var c = 0; c < childCount; c++)
            {
                allocations.Add((NewPerson(child: true), family, fs, team, false));
            }
        }

        var fsOf = new Dictionary<int, DateOnly>();
        foreach (var a in allocations)
        {
            fsOf.TryAdd(a.Who.Id, a.Fs);
        }

        long total = 0, attendanceRows = 0, incidentRows = 0, topsRows = 0;
        var files = 0;
        async Task Flush(QuarterFiles q)
        {
            total += q.Rows;
            files += await q.CommitAsync(store, cancellationToken);
        }

        // csc-people
        var csc = new QuarterFiles("csc-people", "csc", Schema([S("family_key"), S("referral_key"), S("sex"), S("ethnicity"), S("relationship"),
            D("fs_start_date"), D("fs_end_date"), S("fs_team"), D("referral_start_date"), S("referral_category_of_need"), D("referral_end_date"),
            I("previous_referrals"), B("uasc"), B("cwd"), B("worked_with")]));
        foreach (var a in allocations)
        {
            var w = await csc.RowAsync(a.Fs, a.Who, nhs: random.NextDouble() < 0.9, upn: a.Who.Child, nameDob: true, attributor: true, local: true);
            w.Set(9, a.Family);
            w.Set(10, a.Who.Child ? "R" + a.Family : null);
            w.Set(11, random.Next(2) == 0 ? "F" : "M");
            w.Set(12, "WBRI");
            w.Set(13, a.Who.Child ? "child" : "parent");
            w.Set(14, a.Fs);
            w.Set(15, (DateOnly?)a.Fs.AddDays(300 + random.Next(300)));
            w.Set(16, a.Team);
            w.Set(17, a.Who.Child ? a.Fs.AddDays(-random.Next(60)) : (DateOnly?)null);
            w.Set(18, a.Who.Child ? "N1" : null);
            w.Set(21, a.Who.Child && random.NextDouble() < 0.01);
            w.Set(22, a.Who.Child && random.NextDouble() < 0.02);
            w.Set(23, !a.Who.Child && a.WorkedWith);
            await w.EndRowAsync(cancellationToken);
        }

        await Flush(csc);

        var children = people.Where(p => p.Child).ToArray();
        var adultsList = people.Where(p => !p.Child).ToArray();

        // CP plans and periods of care
        foreach (var (feed, share, keyName) in new[] { ("csc-cp-plans", 0.3, "plan_key"), ("csc-cla-periods", 0.1, "period_key") })
        {
            var spells = new QuarterFiles(feed, "csc", Schema([S(keyName), D("start_date"), D("end_date")]));
            foreach (var child in children)
            {
                if (random.NextDouble() >= share)
                {
                    continue;
                }

                var start = fsOf[child.Id].AddDays(random.Next(-400, 300));
                for (var n = 1 + random.Next(2); n > 0; n--)
                {
                    DateOnly? end = random.NextDouble() < 0.8 ? start.AddDays(60 + random.Next(500)) : null;
                    var w = await spells.RowAsync(start, child, local: true);
                    w.Set(9, keyName[0] + child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + n.ToString(System.Globalization.CultureInfo.InvariantCulture));
                    w.Set(10, start);
                    w.Set(11, end);
                    await w.EndRowAsync(cancellationToken);
                    if (end is null)
                    {
                        break;
                    }

                    start = end.Value.AddDays(100 + random.Next(700));
                }
            }

            await Flush(spells);
        }

        // Police incidents: fewer after FS start than before; a tenth belong to no cohort person.
        var police = new QuarterFiles("police-da-incidents", "police", Schema([S("incident_id"), D("incident_date"), S("role"), S("sex"), B("crime"), B("marac_referral")]));
        var incidentId = 0;
        async Task Incident(Person who, DateOnly date)
        {
            var w = await police.RowAsync(date, who, nameDob: true, attributor: true);
            w.Set(9, "INC" + (incidentId++).ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.Set(10, date);
            w.Set(11, random.NextDouble() < 0.55 ? "victim" : random.NextDouble() < 0.9 ? "perpetrator" : "other");
            w.Set(12, "U");
            w.Set(13, random.NextDouble() < 0.6);
            w.Set(14, random.NextDouble() < 0.02);
            await w.EndRowAsync(cancellationToken);
            incidentRows++;
        }

        foreach (var adult in adultsList)
        {
            var fs = fsOf[adult.Id];
            for (var n = random.Next(3, 17); n > 0; n--)
            {
                var date = DataStart.AddDays(random.Next(DataEnd.DayNumber - DataStart.DayNumber));
                if (date >= fs && random.NextDouble() < 0.35)
                {
                    continue;
                }

                await Incident(adult, date);
            }
        }

        for (var n = incidentRows / 9; n > 0; n--)
        {
            await Incident(new Person(-1, 1980, 1, false, [Token(random), Token(random), Token(random), Token(random), Token(random), Token(random)]), DataStart.AddDays(random.Next(1800)));
        }

        await Flush(police);

        // School attendance: fortnightly periods in term time for every child, about 2M rows for 10,000 families.
        var schools = new QuarterFiles("school-attendance", "schools", Schema([S("school_urn"), D("period_start"), D("period_end"),
            I("possible_sessions"), I("authorised_absence_sessions"), I("unauthorised_absence_sessions")]));
        var fridays = new List<DateOnly>();
        for (var d = new DateOnly(2016, 10, 7); d <= new DateOnly(2021, 7, 16); d = d.AddDays(14))
        {
            if (d.Month != 8)
            {
                fridays.Add(d);
            }
        }

        foreach (var child in children)
        {
            var fs = fsOf[child.Id];
            var urn = (100000 + random.Next(400)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var end in fridays)
            {
                var absence = end < fs ? 0.12 : 0.08;
                var authorised = Binomial(random, 20, absence * 0.6);
                var unauthorised = Binomial(random, 20 - authorised, absence * 0.4);
                var w = await schools.RowAsync(end, child, upn: true, nameDob: true);
                w.Set(9, urn);
                w.Set(10, end.AddDays(-11));
                w.Set(11, end);
                w.Set(12, 20);
                w.Set(13, authorised);
                w.Set(14, unauthorised);
                await w.EndRowAsync(cancellationToken);
                attendanceRows++;
            }
        }

        await Flush(schools);

        // Substance misuse: TOPS forms and episodes for about three adults in ten.
        var tops = new QuarterFiles("substance-misuse-tops", "substance-misuse", Schema([S("sex"), D("form_date"), S("stage"),
            I("substance_use_days"), I("psychological_wellbeing"), I("physical_health"), I("quality_of_life"), I("paid_work_days")]));
        var episodes = new QuarterFiles("substance-misuse-episodes", "substance-misuse", Schema([S("sex"), D("assessment_date"),
            S("assessment_outcome"), D("treatment_start_date"), D("closure_date"), S("closure_reason")]));
        foreach (var adult in adultsList.Where(_ => random.NextDouble() < 0.3))
        {
            var start = fsOf[adult.Id].AddDays(random.Next(-200, 200));
            var use = random.Next(10, 29);
            for (var n = 0; n < 10; n++)
            {
                var w = await tops.RowAsync(start.AddDays(n * 42), adult, attributor: true, local: true);
                w.Set(9, "U");
                w.Set(10, start.AddDays(n * 42));
                w.Set(11, n == 0 ? "start" : n == 9 ? "exit" : "review");
                w.Set(12, Math.Max(0, use - (n * random.Next(0, 3))));
                w.Set(13, random.Next(5, 21));
                w.Set(14, random.Next(5, 21));
                w.Set(15, random.Next(5, 21));
                w.Set(16, random.Next(0, 21));
                await w.EndRowAsync(cancellationToken);
                topsRows++;
            }

            for (var n = 1 + random.Next(2); n > 0; n--)
            {
                var treatment = random.NextDouble() < 0.8;
                var closure = start.AddDays(90 + random.Next(200));
                var w = await episodes.RowAsync(start, adult, nhs: random.NextDouble() < 0.7, attributor: true, local: true);
                w.Set(9, "U");
                w.Set(10, start);
                w.Set(11, treatment ? "treatment" : "no_engagement");
                w.Set(12, treatment ? start.AddDays(7) : (DateOnly?)null);
                w.Set(13, treatment ? closure : (DateOnly?)null);
                w.Set(14, treatment ? (random.NextDouble() < 0.5 ? Successful : Unsuccessful)[random.Next(2)] : null);
                await w.EndRowAsync(cancellationToken);
                start = closure.AddDays(random.Next(30, 400));
            }
        }

        await Flush(tops);
        await Flush(episodes);

        // DA programmes and mental health scores.
        var programmes = new QuarterFiles("da-programmes", "da-programmes", Schema([S("sex"), S("programme"), S("role"), D("start_date"), D("end_date"), S("outcome")]));
        var scores = new QuarterFiles("mental-health-scores", "mental-health", Schema([S("sex"), S("instrument"), S("stage"), D("score_date"), I("score")]));
        foreach (var adult in adultsList)
        {
            var fs = fsOf[adult.Id];
            if (random.NextDouble() < 0.2)
            {
                var start = fs.AddDays(random.Next(0, 200));
                var w = await programmes.RowAsync(start, adult, nameDob: true, attributor: true);
                w.Set(9, "U");
                w.Set(10, "Freedom");
                w.Set(11, random.Next(2) == 0 ? "victim" : "perpetrator");
                w.Set(12, start);
                w.Set(13, (DateOnly?)start.AddDays(70 + random.Next(60)));
                w.Set(14, random.NextDouble() < 0.6 ? "completed" : "dropped_out");
                await w.EndRowAsync(cancellationToken);
            }

            if (random.NextDouble() < 0.25)
            {
                var instrument = random.Next(2) == 0 ? "PHQ9" : "GAD7";
                var score = random.Next(8, 22);
                for (var n = 0; n < 4; n++)
                {
                    var date = fs.AddDays(30 + (n * 60));
                    var w = await scores.RowAsync(date, adult, nhs: true, nameDob: true, attributor: true);
                    w.Set(9, "U");
                    w.Set(10, instrument);
                    w.Set(11, n == 0 ? "initial" : n == 3 ? "end" : "interim");
                    w.Set(12, date);
                    w.Set(13, Math.Max(0, score - random.Next(0, 3 * n + 1)));
                    await w.EndRowAsync(cancellationToken);
                }
            }
        }

        await Flush(programmes);
        await Flush(scores);

        var health = new QuarterFiles("health-aggregates", "icb", new ParquetSchema([S("batch_id"), new("source_line", ParquetType.Int64), S("quarter"), S("cohort"),
            S("age_group"), S("measure"), I("cohort_people"), I("people_with_event"), I("events")]));
        foreach (var cohort in cohorts)
        {
            foreach (var quarter in Quarter.Range(cohort.FirstQuarter, Quarter.Of(DataEnd)))
            {
                foreach (var age in new[] { "child", "adult" })
                {
                    foreach (var measure in new[] { "ae_attendances", "emergency_admissions" })
                    {
                        var w = await health.AggregateAsync(quarter.Start);
                        w.Set(2, quarter.ToString());
                        w.Set(3, cohort.Name);
                        w.Set(4, age);
                        w.Set(5, measure);
                        w.Set(6, 3000);
                        w.Set(7, random.Next(100, 400));
                        w.Set(8, random.Next(400, 700));
                        await w.EndRowAsync(cancellationToken);
                    }
                }
            }
        }

        await Flush(health);
        return new Counts(people.Count, attendanceRows, incidentRows, topsRows, total, files);
    }

    private static int Binomial(Random random, int n, double p)
    {
        var k = 0;
        for (var i = 0; i < n; i++)
        {
            k += random.NextDouble() < p ? 1 : 0;
        }

        return k;
    }

    private static string Token(Random random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextBytes(bytes);
        return "v1:" + Convert.ToHexStringLower(bytes);
    }

    private static ParquetColumn S(string name) => new(name, ParquetType.String);

    private static ParquetColumn I(string name) => new(name, ParquetType.Int32);

    private static ParquetColumn D(string name) => new(name, ParquetType.Date);

    private static ParquetColumn B(string name) => new(name, ParquetType.Boolean);

    // Columns 0–6: batch_id, source_line, the five tokens; 7–8 birth year and month; then the feed's stored fields.
    private static ParquetSchema Schema(ParquetColumn[] fields) => new(
    [
        S("batch_id"), new("source_line", ParquetType.Int64), S("nhs_token"), S("upn_token"), S("name_dob_token"), S("attributor_token"), S("local_token"),
        I("birth_year"), I("birth_month"), .. fields,
    ]);

    /// <summary>One feed's writers, one per quarter of the row's date, committed at the end.</summary>
    private sealed class QuarterFiles(string feed, string partner, ParquetSchema schema)
    {
        private readonly SortedDictionary<Quarter, (MemoryStream Buffer, ParquetWriter Writer)> _files = [];
        private long _line;

        public long Rows { get; private set; }

        public async Task<ParquetWriter> RowAsync(DateOnly date, Person who, bool nhs = false, bool upn = false, bool nameDob = false, bool attributor = false, bool local = false)
        {
            var w = await AggregateAsync(date);
            w.Set(2, nhs ? who.Tokens[0] : null);
            w.Set(3, upn ? who.Tokens[1] : null);
            w.Set(4, nameDob ? who.Tokens[2] : null);
            w.Set(5, attributor ? who.Tokens[3] : null);
            // The cohort partner's person id and the substance misuse service's client id are different local tokens.
            w.Set(6, local ? (partner == "csc" ? who.Tokens[4] : who.Tokens[5]) : null);
            w.Set(7, who.BirthYear);
            w.Set(8, who.BirthMonth);
            return w;
        }

        public async Task<ParquetWriter> AggregateAsync(DateOnly date)
        {
            var quarter = Quarter.Of(date);
            if (!_files.TryGetValue(quarter, out var file))
            {
                var buffer = new MemoryStream();
                var metadata = new Dictionary<string, string>
                {
                    ["datahub.batch_id"] = "bench", ["datahub.partner"] = partner, ["datahub.feed"] = feed, ["datahub.key_version"] = "v1", ["datahub.rules_version"] = "bench",
                };
                file = (buffer, await ParquetWriter.CreateAsync(buffer, schema, new ParquetWriterOptions { Metadata = metadata, RowGroupRows = 100_000 }));
                _files[quarter] = file;
            }

            file.Writer.Set(0, "bench");
            file.Writer.Set(1, ++_line);
            Rows++;
            return file.Writer;
        }

        public async Task<int> CommitAsync(IObjectStore store, CancellationToken cancellationToken)
        {
            foreach (var (quarter, (buffer, writer)) in _files)
            {
                await writer.FinishAsync(cancellationToken);
                await writer.DisposeAsync();
                var bytes = buffer.ToArray();
                await buffer.DisposeAsync();
                await store.WriteAsync($"secure/{feed}/quarter={quarter}/bench.parquet", (s, ct) => s.WriteAsync(bytes, ct).AsTask(), WriteOptions.Default, cancellationToken);
            }

            return _files.Count;
        }
    }
}
