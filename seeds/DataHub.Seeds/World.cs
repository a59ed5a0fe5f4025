using DataHub.Core.Validation;

namespace DataHub.Seeds;

/// <summary>The synthetic people and families every feed is drawn from, built once from the seed.</summary>
internal sealed class World
{
    public static readonly DateOnly DataStart = new(2016, 10, 1);
    public static readonly DateOnly DataEnd = new(2021, 3, 31);

    private static readonly string[] Schools = ["117234", "117456", "117890", "118012", "118345", "136781", "137002", "139455"];
    private readonly HashSet<string> nhsNumbers = new(StringComparer.Ordinal);
    private readonly HashSet<string> upns = new(StringComparer.Ordinal);

    public World(SeedOptions options)
    {
        Options = options;
        var random = Streams.For(options.Seed, "world");
        for (var f = 0; f < options.Families; f++)
        {
            Families.Add(NewFamily(random, f));
        }

        AddLookalikes(random);

        // People outside the cohort who still appear in partner extracts (about one for every two cohort people).
        var outsiders = Math.Max(8, People.Count / 2);
        for (var i = 0; i < outsiders; i++)
        {
            var child = random.Chance(0.45);
            var dob = child ? random.Between(new DateOnly(2003, 9, 1), new DateOnly(2015, 8, 31)) : random.Between(new DateOnly(1965, 1, 1), new DateOnly(1999, 12, 31));
            var person = NewHuman(random, random.Chance(0.5) ? "F" : "M", dob, null, cohort: false);
            person.School = random.Pick(Schools);
            Outsiders.Add(person);
        }
    }

    public SeedOptions Options { get; }

    public List<Family> Families { get; } = [];

    /// <summary>Every person, cohort people first, in creation order.</summary>
    public List<Human> People { get; } = [];

    public List<Human> Outsiders { get; } = [];

    public IReadOnlyList<CohortWindow> Cohorts => SyntheticHub.Cohorts;

    public int Seed => Options.Seed;

    private Family NewFamily(Random random, int index)
    {
        var cohort = Cohorts[index % Cohorts.Count];
        var start = random.Between(cohort.Start, cohort.End);
        var end = start.AddDays(random.Next(120, 541));
        var family = new Family(index, $"FAM{index + 1:D5}", start, end > DataEnd ? null : end, random.Pick(Names.Teams), cohort)
        {
            DomesticAbuse = random.Chance(0.65),
            SubstanceMisuse = random.Chance(0.4),
            MentalHealth = random.Chance(0.35),
        };

        var surname = random.Pick(Names.Surnames);
        var mother = NewHuman(random, "F", start.AddDays(-random.Next(19 * 365, 45 * 365)), surname, cohort: true);
        family.Members.Add(new Member(mother, "mother", false));
        if (random.Chance(0.7))
        {
            var partnerSurname = random.Chance(0.6) ? surname : random.Pick(Names.Surnames);
            var father = NewHuman(random, "M", start.AddDays(-random.Next(20 * 365, 50 * 365)), partnerSurname, cohort: true);
            family.Members.Add(new Member(father, random.Chance(0.7) ? "father" : "male_carer", false));
        }

        var children = 1 + random.Next(4);
        for (var c = 0; c < children; c++)
        {
            var born = start.AddDays(-random.Next(30, 17 * 365));
            var child = NewHuman(random, random.Chance(0.5) ? "F" : "M", born, surname, cohort: true);
            child.School = random.Pick(Schools);
            family.Members.Add(new Member(child, "child", true));
        }

        foreach (var member in family.Members)
        {
            member.Person.Families.Add(family);
        }

        return family;
    }

    // Deliberate weak-key collisions so linkage must report ambiguity: name+DOB twins and attributor (initials+DOB+sex) twins,
    // and a few adults who belong to two families.
    private void AddLookalikes(Random random)
    {
        var n = Families.Count;
        if (n < 4)
        {
            return;
        }

        for (var i = 0; i < n; i++)
        {
            var other = Families[(i + (n / 2)) % n];
            var a = Families[i].Members[0].Person;
            var b = other.Members[0].Person;
            if (a == b || a.Lookalike || b.Lookalike)
            {
                continue;
            }

            if (i % 17 == 5)
            {
                b.Forename = a.Forename;
                b.Surname = a.Surname;
                b.DateOfBirth = a.DateOfBirth;
                a.Lookalike = b.Lookalike = true;
            }
            else if (i % 19 == 11)
            {
                b.Forename = Names.Female.FirstOrDefault(name => name[0] == a.Forename[0] && name != a.Forename) ?? b.Forename;
                b.Surname = Names.Surnames.FirstOrDefault(s => s[0] == a.Surname[0] && s != a.Surname) ?? b.Surname;
                b.DateOfBirth = a.DateOfBirth;
                a.Lookalike = b.Lookalike = true;
            }
        }

        // A father figure who is also a member of the next family (D01 is the same person in both).
        for (var i = 3; i + 1 < n; i += 23)
        {
            var adult = Families[i].Members.Where(m => !m.Child).Select(m => m.Person).LastOrDefault(p => p.Sex == "M");
            if (adult is not null && !Families[i + 1].Members.Any(m => m.Person == adult))
            {
                Families[i + 1].Members.Add(new Member(adult, "male_carer", false));
                adult.Families.Add(Families[i + 1]);
            }
        }
    }

    private Human NewHuman(Random random, string sex, DateOnly dob, string? surname, bool cohort)
    {
        var index = People.Count + Outsiders.Count;
        var forename = random.Pick(sex == "F" ? Names.Female : Names.Male);
        var human = new Human(index, cohort ? $"P{index + 1:D6}" : null, forename, surname ?? random.Pick(Names.Surnames), dob, sex, NewNhs(random))
        {
            Ethnicity = random.Chance(0.72) ? "WBRI" : random.Pick(Core.Feeds.ReferenceLists.Codes(Core.Feeds.ReferenceLists.Ethnicity)),
            CscHasNhs = random.Chance(0.85),
            // The service numbers its clients its own way: a bijection of the index, so client ids do not mirror CSC person ids.
            ClientId = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SM{((index * 7919L) + 104729) % 1000000:D6}"),
        };
        if (dob > new DateOnly(2000, 9, 1))
        {
            human.Upn = NewUpn(random, dob);
            human.CscHasUpn = random.Chance(0.85);
        }

        if (cohort)
        {
            People.Add(human);
        }

        return human;
    }

    private string NewNhs(Random random)
    {
        Span<char> digits = stackalloc char[10];
        while (true)
        {
            digits[0] = (char)('4' + random.Next(3));
            for (var i = 1; i < 9; i++)
            {
                digits[i] = (char)('0' + random.Next(10));
            }

            var check = NhsNumber.CheckDigit(digits[..9]);
            if (check < 0)
            {
                continue;
            }

            digits[9] = (char)('0' + check);
            var nhs = new string(digits);
            if (nhsNumbers.Add(nhs))
            {
                return nhs;
            }
        }
    }

    private string NewUpn(Random random, DateOnly dob)
    {
        while (true)
        {
            // LA 919, a school number, the two-digit year the pupil started school, a serial.
            var body = string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"919{random.Next(2000, 5000):D4}{(dob.Year + 4) % 100:D2}{random.Next(1000):D3}");
            var upn = Upn.CheckLetter(body) + body;
            if (upns.Add(upn))
            {
                return upn;
            }
        }
    }
}

/// <summary>A cohort family.</summary>
internal sealed class Family(int index, string key, DateOnly fsStart, DateOnly? fsEnd, string team, CohortWindow cohort)
{
    public int Index { get; } = index;

    public string Key { get; } = key;

    public DateOnly FsStart { get; } = fsStart;

    public DateOnly? FsEnd { get; } = fsEnd;

    public string Team { get; } = team;

    public CohortWindow Cohort { get; } = cohort;

    public List<Member> Members { get; } = [];

    public bool DomesticAbuse { get; init; }

    public bool SubstanceMisuse { get; init; }

    public bool MentalHealth { get; init; }

    public IEnumerable<Human> Adults => Members.Where(m => !m.Child).Select(m => m.Person);

    public IEnumerable<Human> Children => Members.Where(m => m.Child).Select(m => m.Person);
}

/// <summary>A person's place in a family.</summary>
internal sealed record Member(Human Person, string Relationship, bool Child);

/// <summary>A synthetic person (mutable only while the world is being built).</summary>
internal sealed class Human(int index, string? personId, string forename, string surname, DateOnly dateOfBirth, string sex, string nhs)
{
    public int Index { get; } = index;

    public string? PersonId { get; } = personId;

    public string Forename { get; set; } = forename;

    public string Surname { get; set; } = surname;

    public DateOnly DateOfBirth { get; set; } = dateOfBirth;

    public string Sex { get; } = sex;

    public string Nhs { get; } = nhs;

    public string? Upn { get; set; }

    public bool CscHasNhs { get; init; }

    public bool CscHasUpn { get; set; }

    public string Ethnicity { get; init; } = "WBRI";

    public string ClientId { get; init; } = string.Empty;

    public string School { get; set; } = string.Empty;

    public bool Lookalike { get; set; }

    public List<Family> Families { get; } = [];

    public Family? FirstFamily => Families.Count > 0 ? Families[0] : null;

    public int AgeOn(DateOnly date)
    {
        var age = date.Year - DateOfBirth.Year;
        return DateOfBirth.AddYears(age) > date ? age - 1 : age;
    }
}
