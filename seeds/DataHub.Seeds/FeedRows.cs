using DataHub.Core.Feeds;

namespace DataHub.Seeds;

/// <summary>One generated row: typed cells in contract field order, and whose row it is.</summary>
/// <param name="Cells">string, int, bool, DateOnly or null per contract field.</param>
/// <param name="PersonIndex">The synthetic person the row is about; -1 for aggregate rows.</param>
internal sealed record GeneratedRow(object?[] Cells, int PersonIndex);

/// <summary>Draws each feed's rows from the world. Each feed uses its own random streams (per family or person), so a feed's
/// rows are the same whichever other feeds are generated, and the effects the KPI demo shows are built in:
/// fewer incidents after FS start, better attendance, TOPS and mental health scores that mostly improve.</summary>
internal sealed class FeedRows(World world)
{
    private static readonly string[] Completed = [.. ReferenceLists.CompletedClosureReasons];
    private static readonly string[] NotCompleted = [.. ReferenceLists.ClosureReasons.Where(c => !c.Completed).Select(c => c.Code)];
    private static readonly string[] NeedCodes = [.. ReferenceLists.Codes(ReferenceLists.CategoryOfNeed)];

    public IEnumerable<GeneratedRow> CscPeople()
    {
        foreach (var family in world.Families)
        {
            var random = Streams.For(world.Seed, "csc-people", family.Index);
            var referral = 0;
            foreach (var member in family.Members)
            {
                var p = member.Person;
                var child = member.Child && p.AgeOn(family.FsStart) < 18;
                DateOnly? referralStart = child ? family.FsStart.AddDays(-random.Next(20, 120)) : null;
                DateOnly? referralEnd = child && family.FsEnd is { } end ? end.AddDays(random.Next(0, 60)) : null;
                yield return Row(p,
                    family.Key, p.PersonId, child ? $"{family.Key}-R{++referral}" : null, p.CscHasNhs ? p.Nhs : null,
                    p.CscHasUpn ? p.Upn : null, p.Forename, p.Surname, p.DateOfBirth, p.Sex, p.Ethnicity, member.Relationship,
                    family.FsStart, family.FsEnd, family.Team, referralStart, child ? random.Pick(NeedCodes) : null,
                    referralEnd is { } re && re <= World.DataEnd ? re : null, child ? random.Next(5) : null,
                    child ? random.Chance(0.01) : null, child ? random.Chance(0.04) : null, child ? null : random.Chance(0.85));
            }
        }
    }

    public IEnumerable<GeneratedRow> CpPlans()
    {
        // Plan keys are numbered on their own, not from the person id, so a stored key never reveals whose plan it is.
        var planNumber = 0;
        foreach (var (family, child, random) in Children("cp"))
        {
            if (!random.Chance(0.4))
            {
                continue;
            }

            var plan = 0;
            // Half were already on a plan when FS started; the rest start one in the first months of FS.
            var start = random.Chance(0.5) ? family.FsStart.AddDays(-random.Next(30, 270)) : family.FsStart.AddDays(random.Next(10, 180));
            if (random.Chance(0.25))
            {
                // An earlier plan that ended before FS.
                var earlierEnd = start.AddDays(-random.Next(200, 700));
                yield return Row(child, child.PersonId, $"CPL{++planNumber:D5}-{++plan}", earlierEnd.AddDays(-random.Next(120, 400)), earlierEnd);
            }

            var end = start.AddDays(random.Next(90, 500));
            var open = end > World.DataEnd;
            yield return Row(child, child.PersonId, $"CPL{++planNumber:D5}-{++plan}", start, open ? null : end);
            if (!open && random.Chance(0.2))
            {
                // A repeat plan, some within 12 months of the last one ending, some within 24.
                var repeat = end.AddDays(random.Next(40, 700));
                if (repeat <= World.DataEnd)
                {
                    var repeatEnd = repeat.AddDays(random.Next(90, 400));
                    yield return Row(child, child.PersonId, $"CPL{++planNumber:D5}-{++plan}", repeat, repeatEnd > World.DataEnd ? null : repeatEnd);
                }
            }
        }
    }

    public IEnumerable<GeneratedRow> ClaPeriods()
    {
        // Period keys are numbered on their own, not from the person id (see CpPlans).
        var periodNumber = 0;
        foreach (var (family, child, random) in Children("cla"))
        {
            if (!random.Chance(0.1))
            {
                continue;
            }

            var start = family.FsStart.AddDays(random.Next(-200, 400));
            if (start > World.DataEnd)
            {
                continue;
            }

            var end = start.AddDays(random.Next(30, 700));
            yield return Row(child, child.PersonId, $"CLA{++periodNumber:D5}-1", start, end > World.DataEnd ? null : end);
        }
    }

    public IEnumerable<GeneratedRow> PoliceIncidents()
    {
        var incident = 0;
        foreach (var family in world.Families.Where(f => f.DomesticAbuse))
        {
            var random = Streams.For(world.Seed, "police", family.Index);
            var victim = family.Adults.FirstOrDefault(a => a.Sex == "F") ?? family.Adults.First();
            var perpetrator = family.Adults.FirstOrDefault(a => a != victim && a.FirstFamily == family);
            var before = 1.5 + (random.NextDouble() * 3);
            var after = before * (0.2 + (random.NextDouble() * 0.4));
            foreach (var date in EventDates(random, family.FsStart, before, after))
            {
                var id = $"DA{date.Year}-{++incident:D6}";
                var marac = random.Chance(date < family.FsStart ? 0.12 : 0.05);
                var crime = random.Chance(0.4);
                yield return Police(random, victim, id, date, "victim", crime, marac);
                if (perpetrator is not null)
                {
                    yield return Police(random, perpetrator, id, date, "perpetrator", crime, marac);
                }
            }
        }

        // Incidents among people outside the cohort.
        var others = Streams.For(world.Seed, "police-others");
        var adults = world.Outsiders.Where(o => o.AgeOn(World.DataEnd) >= 18).ToArray();
        for (var i = 0; i < world.Families.Count * 8 && adults.Length > 0; i++)
        {
            var date = others.Between(World.DataStart, World.DataEnd);
            yield return Police(others, others.Pick(adults), $"DA{date.Year}-{++incident:D6}", date, others.Chance(0.5) ? "victim" : "other", others.Chance(0.3), others.Chance(0.05));
        }
    }

    public IEnumerable<GeneratedRow> SubstanceMisuse(bool tops)
    {
        var clients = world.Families.Where(f => f.SubstanceMisuse).SelectMany(f => f.Adults.Where(a => a.FirstFamily == f).Take(1 + (f.Index % 2)))
            .Concat(world.Outsiders.Where(o => o.AgeOn(World.DataEnd) >= 18).Where((_, i) => i % 2 == 0));
        foreach (var client in clients)
        {
            var random = Streams.For(world.Seed, "substance-misuse", client.Index);
            var anchor = client.FirstFamily?.FsStart ?? random.Between(World.DataStart.AddDays(180), World.DataEnd.AddDays(-200));
            var assessment = anchor.AddDays(random.Next(-270, 270));
            if (assessment < World.DataStart)
            {
                assessment = World.DataStart.AddDays(random.Next(90));
            }

            var improves = random.Chance(0.75);
            var hasNhs = random.Chance(0.7);
            for (var episode = 0; episode < 2 && assessment <= World.DataEnd; episode++)
            {
                var outcome = random.Chance(0.75) ? "treatment" : random.Chance(0.6) ? "no_engagement" : "other";
                DateOnly? treatment = outcome == "treatment" ? assessment.AddDays(random.Next(3, 22)) : null;
                DateOnly? closure = treatment?.AddDays(random.Next(60, 300));
                if (closure > World.DataEnd || treatment > World.DataEnd)
                {
                    closure = null;
                }

                var completed = closure is not null && random.Chance(0.6);
                string? reason = closure is null ? null : completed ? random.Pick(Completed) : random.Pick(NotCompleted);
                if (!tops)
                {
                    yield return Row(client, client.ClientId, Initial(client.Forename), Initial(client.Surname), client.DateOfBirth, client.Sex,
                        hasNhs ? client.Nhs : null, assessment, outcome, treatment > World.DataEnd ? null : treatment, closure, reason);
                }
                else if (treatment is { } started && started <= World.DataEnd)
                {
                    foreach (var form in Tops(random, client, started, closure, improves))
                    {
                        yield return form;
                    }
                }

                // Some re-present within 182 days of a successful closure; others come back much later.
                if (closure is not { } closed || !random.Chance(completed ? 0.25 : 0.3))
                {
                    break;
                }

                assessment = closed.AddDays(random.Next(30, completed ? 170 : 400));
            }
        }
    }

    public IEnumerable<(string AcademicYear, IEnumerable<GeneratedRow> Rows)> SchoolAttendance()
    {
        for (var year = 2016; year <= 2020; year++)
        {
            var academicYear = year;
            yield return ($"{year}-{(year + 1) % 100:D2}", AttendanceYear(academicYear));
        }
    }

    public IEnumerable<GeneratedRow> DaProgrammes()
    {
        foreach (var family in world.Families.Where(f => f.DomesticAbuse))
        {
            var random = Streams.For(world.Seed, "da-programmes", family.Index);
            foreach (var adult in family.Adults.Where(a => a.FirstFamily == family))
            {
                if (!random.Chance(0.7))
                {
                    continue;
                }

                var role = adult.Sex == "F" ? "victim" : "perpetrator";
                var programme = role == "victim" ? random.Pick(new[] { "Freedom Programme", "Recovery Toolkit" }) : random.Pick(new[] { "Caring Dads", "DRIVE", "Building Better Relationships" });
                var start = family.FsStart.AddDays(random.Next(30, 180));
                if (start > World.DataEnd)
                {
                    continue;
                }

                var end = start.AddDays(7 * random.Next(8, 21));
                var outcome = end > World.DataEnd ? "ongoing" : random.Chance(0.65) ? "completed" : random.Chance(0.8) ? "dropped_out" : "other";
                yield return Row(adult, adult.Forename, adult.Surname, adult.DateOfBirth, adult.Sex, programme, role, start,
                    outcome == "ongoing" ? null : end, outcome);
            }
        }
    }

    public IEnumerable<GeneratedRow> MentalHealthScores()
    {
        var patients = world.Families.Where(f => f.MentalHealth).SelectMany(f => f.Adults.Where(a => a.FirstFamily == f).Take(1))
            .Concat(world.Outsiders.Where(o => o.AgeOn(World.DataEnd) >= 18).Where((_, i) => i % 4 == 1));
        foreach (var patient in patients)
        {
            var random = Streams.For(world.Seed, "mental-health", patient.Index);
            var anchor = patient.FirstFamily?.FsStart ?? random.Between(World.DataStart, World.DataEnd.AddDays(-120));
            var first = anchor.AddDays(random.Next(0, 120));
            var improves = random.Chance(0.7);
            var nhs = random.Chance(0.85) ? (random.Chance(0.3) ? $"{patient.Nhs[..3]} {patient.Nhs[3..6]} {patient.Nhs[6..]}" : patient.Nhs) : null;
            foreach (var (instrument, max) in new[] { ("PHQ9", 27), ("GAD7", 21) })
            {
                if (!random.Chance(0.8))
                {
                    continue;
                }

                var score = random.Next(max / 2, max + 1);
                var date = first;
                foreach (var stage in new[] { "initial", "interim", "end" })
                {
                    if (date > World.DataEnd)
                    {
                        break;
                    }

                    yield return Row(patient, nhs, patient.Forename, patient.Surname, patient.DateOfBirth, patient.Sex, instrument, stage, date, score);
                    score = Math.Clamp(score + (improves ? -random.Next(2, 7) : random.Next(-1, 3)), 0, max);
                    date = date.AddDays(random.Next(35, 50));
                }
            }
        }
    }

    public IEnumerable<GeneratedRow> HealthAggregates()
    {
        var random = Streams.For(world.Seed, "health-aggregates");
        foreach (var cohort in world.Cohorts)
        {
            var people = world.Families.Where(f => f.Cohort == cohort)
                .SelectMany(f => f.Members.Select(m => (m.Person, Child: m.Person.AgeOn(f.FsStart) < 18)))
                .DistinctBy(m => m.Person.Index).ToArray();
            for (var quarter = QuarterStart(cohort.Start); quarter <= World.DataEnd; quarter = quarter.AddMonths(3))
            {
                var label = $"{quarter.Year}Q{((quarter.Month - 1) / 3) + 1}";
                foreach (var ageGroup in new[] { "child", "adult" })
                {
                    var count = people.Count(p => p.Child == (ageGroup == "child"));
                    foreach (var (measure, rate) in new[] { ("ae_attendances", ageGroup == "child" ? 0.09 : 0.07), ("emergency_admissions", 0.025) })
                    {
                        var withEvent = Enumerable.Range(0, count).Count(_ => random.Chance(rate));
                        var events = withEvent + Enumerable.Range(0, withEvent).Count(_ => random.Chance(0.3));
                        yield return new GeneratedRow([label, cohort.Label, ageGroup, measure, count, withEvent, events], -1);
                    }
                }
            }
        }
    }

    private IEnumerable<GeneratedRow> AttendanceYear(int year)
    {
        var pupils = world.Families.SelectMany(f => f.Children.Where(c => c.FirstFamily == f).Select(c => (Pupil: c, Family: (Family?)f)))
            .Concat(world.Outsiders.Where(o => o.Upn is not null).Select(o => (Pupil: o, Family: (Family?)null)));
        var yearStart = new DateOnly(year, 9, 1);
        foreach (var (pupil, family) in pupils)
        {
            // Reception (4 on 31 August) to year 11 (15 on 31 August).
            var age = pupil.AgeOn(yearStart.AddDays(-1));
            if (pupil.Upn is null || age is < 4 or > 15)
            {
                continue;
            }

            var random = Streams.For(world.Seed, "attendance", (pupil.Index * 8) + (year - 2016));
            var baseline = 0.05 + (random.NextDouble() * 0.13);
            foreach (var (start, end) in Periods(year))
            {
                if (end < World.DataStart || end > World.DataEnd)
                {
                    continue;
                }

                var possible = 2 * Weekdays(start, end);
                // Absence falls once FS has started with the family; outside the cohort it stays where it is.
                var rate = family is not null && start >= family.FsStart ? baseline * 0.55 : baseline;
                var absent = (int)Math.Round(possible * Math.Clamp(rate + ((random.NextDouble() - 0.5) * 0.04), 0, 0.9));
                var unauthorised = (int)Math.Round(absent * (0.25 + (random.NextDouble() * 0.3)));
                yield return Row(pupil, pupil.Upn, pupil.Forename, pupil.Surname, pupil.DateOfBirth, pupil.School, start, end,
                    possible, absent - unauthorised, unauthorised);
            }
        }
    }

    private IEnumerable<(DateOnly Start, DateOnly End)> Periods(int year)
    {
        var terms = new[]
        {
            (new DateOnly(year, 9, 1), new DateOnly(year, 12, 20)),
            (new DateOnly(year + 1, 1, 5), new DateOnly(year + 1, 3, 31)),
            (new DateOnly(year + 1, 4, 15), new DateOnly(year + 1, 7, 20)),
        };
        foreach (var (start, end) in terms)
        {
            switch (world.Options.AttendancePeriods)
            {
                case AttendancePeriods.Terms:
                    yield return (start, end);
                    break;
                case AttendancePeriods.HalfTerms:
                    var middle = start.AddDays((end.DayNumber - start.DayNumber) / 2);
                    yield return (start, middle);
                    yield return (middle.AddDays(1), end);
                    break;
                default:
                    var weeks = world.Options.AttendancePeriods == AttendancePeriods.Fortnights ? 2 : 1;
                    for (var monday = start.AddDays(((int)DayOfWeek.Monday - (int)start.DayOfWeek + 7) % 7); monday <= end; monday = monday.AddDays(7 * weeks))
                    {
                        var friday = monday.AddDays((7 * weeks) - 3);
                        yield return (monday, friday > end ? end : friday);
                    }

                    break;
            }
        }
    }

    private IEnumerable<(Family Family, Human Child, Random Random)> Children(string purpose)
    {
        foreach (var family in world.Families)
        {
            foreach (var child in family.Children.Where(c => c.FirstFamily == family && c.AgeOn(family.FsStart) < 18))
            {
                yield return (family, child, Streams.For(world.Seed, purpose, child.Index));
            }
        }
    }

    // Event dates at a yearly rate before FS start (from 18 months before) and a lower rate after it, within the data span.
    private static IEnumerable<DateOnly> EventDates(Random random, DateOnly fsStart, double perYearBefore, double perYearAfter)
    {
        var from = fsStart.AddDays(-548) < World.DataStart ? World.DataStart : fsStart.AddDays(-548);
        var dates = new List<DateOnly>();
        var beforeDays = fsStart.DayNumber - from.DayNumber;
        for (var i = random.Poisson(perYearBefore * beforeDays / 365.0); i > 0; i--)
        {
            dates.Add(random.Between(from, fsStart.AddDays(-1)));
        }

        var afterDays = World.DataEnd.DayNumber - fsStart.DayNumber;
        for (var i = random.Poisson(perYearAfter * afterDays / 365.0); i > 0; i--)
        {
            dates.Add(random.Between(fsStart, World.DataEnd));
        }

        dates.Sort();
        return dates;
    }

    private GeneratedRow Police(Random random, Human person, string id, DateOnly date, string role, bool crime, bool marac)
    {
        // Police records names as taken at the scene: often upper case, accents dropped, now and then misspelt.
        var surname = person.Surname;
        if (random.Chance(0.3))
        {
            surname = surname.ToUpperInvariant();
        }

        if (random.Chance(0.5))
        {
            surname = Core.Pseudonymisation.IdentityNormaliser.Name(surname) is { } folded && folded.Length == surname.Length ? Capitalise(folded) : surname;
        }

        if (random.Chance(0.03) && surname.Length > 3)
        {
            surname = string.Concat(surname.AsSpan(0, 1), surname.AsSpan(2, 1), surname.AsSpan(1, 1), surname.AsSpan(3));
        }

        return Row(person, id, date, role, person.Forename, surname, person.DateOfBirth, person.Sex, crime, marac);
    }

    private static IEnumerable<GeneratedRow> Tops(Random random, Human client, DateOnly start, DateOnly? closure, bool improves)
    {
        // A start form at treatment start, reviews every 75 days while in treatment, an exit form at closure.
        var forms = new List<(DateOnly Date, string Stage)> { (start, "start") };
        var last = closure ?? World.DataEnd;
        for (var date = start.AddDays(75); date < last; date = date.AddDays(75))
        {
            forms.Add((date, "review"));
        }

        if (closure is { } closed && closed > start)
        {
            forms.Add((closed, "exit"));
        }

        var use = random.Next(14, 29);
        var wellbeing = random.Next(3, 11);
        var health = random.Next(4, 12);
        var life = random.Next(3, 11);
        var work = random.Next(0, 3);
        var step = improves ? 1 : -1;
        foreach (var (date, stage) in forms)
        {
            yield return Row(client, client.ClientId, Initial(client.Forename), Initial(client.Surname), client.DateOfBirth, client.Sex,
                date, stage, use, wellbeing, health, life, work);
            use = Math.Clamp(use - (step * random.Next(2, 7)), 0, 28);
            wellbeing = Math.Clamp(wellbeing + (step * random.Next(1, 4)), 0, 20);
            health = Math.Clamp(health + (step * random.Next(0, 3)), 0, 20);
            life = Math.Clamp(life + (step * random.Next(1, 4)), 0, 20);
            work = Math.Clamp(work + (improves ? random.Next(0, 4) : 0), 0, 20);
        }
    }

    private static GeneratedRow Row(Human person, params object?[] cells) => new(cells, person.Index);

    private static string Initial(string name) => name[..1].ToUpperInvariant();

    private static string Capitalise(string upper) => upper.Length <= 1 ? upper : upper[0] + upper[1..].ToLowerInvariant();

    private static DateOnly QuarterStart(DateOnly date) => new(date.Year, (((date.Month - 1) / 3) * 3) + 1, 1);

    private static int Weekdays(DateOnly start, DateOnly end)
    {
        var count = 0;
        for (var d = start; d <= end; d = d.AddDays(1))
        {
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
            {
                count++;
            }
        }

        return count;
    }
}
